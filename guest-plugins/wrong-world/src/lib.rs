//! Test component of another world: `barcoded` must refuse it at load.

wit_bindgen::generate!({ path: "wit", world: "other" });

struct Other;

impl exports::test::other::greeter::Guest for Other {
    fn greet() -> String {
        "hello from another world".into()
    }
}

export!(Other);
