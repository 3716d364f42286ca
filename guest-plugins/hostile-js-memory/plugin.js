// Hostile: allocates without end on every scan. The memory limit must end it.
export default {
  NAME: "hostile-js-memory",
  TITLE: "Memory bomb (JavaScript)",
  DESCRIPTION: "A JavaScript plugin that keeps every buffer it allocates.",
  VERSION: "0.1.0",
  AUTHOR: "barcoded test suite",
  scan(barcodeData) {
    const kept = [];
    for (;;) kept.push(new Uint8Array(1 << 20).fill(1));
  },
};
