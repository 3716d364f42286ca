// Hostile: prints without end on every scan. The output limit must end it,
// and the server log must not fill.
export default {
  NAME: "hostile-js-print",
  TITLE: "Endless prints (JavaScript)",
  DESCRIPTION: "A JavaScript plugin that never stops logging.",
  VERSION: "0.1.0",
  AUTHOR: "barcoded test suite",
  scan(barcodeData) {
    for (let line = 0; ; line++) console.log(`line ${line}: all work and no play`);
  },
};
