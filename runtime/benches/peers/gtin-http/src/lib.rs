//! Answers every request with the gtin decode of its body, one fresh
//! instance per request as `wasmtime serve` runs it.

use std::io::{Read as _, Write as _};

use wasi::http::types::{
    Fields, IncomingBody, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam,
};

#[path = "../../gtin.rs"]
mod gtin;

/// Largest request body read, as barcoded's scan endpoint allows.
const MAX_BODY_BYTES: u64 = 32 << 10;

struct GtinHttp;

wasi::http::proxy::export!(GtinHttp);

impl wasi::exports::http::incoming_handler::Guest for GtinHttp {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        let body = read_body(&request);
        let headers = Fields::new();
        let _ = headers.set("content-type", &[b"application/json".to_vec()]);
        let response = OutgoingResponse::new(headers);
        let outgoing = response.body().expect("the body of a new response");
        ResponseOutparam::set(response_out, Ok(response));
        let answer = gtin::answer(&body);
        {
            let mut out = outgoing.write().expect("the body's stream");
            let _ = out.write_all(&answer);
            let _ = out.flush();
        }
        let _ = OutgoingBody::finish(outgoing, None);
    }
}

fn read_body(request: &IncomingRequest) -> Vec<u8> {
    let mut bytes = Vec::new();
    let Ok(body) = request.consume() else {
        return bytes;
    };
    if let Ok(stream) = body.stream() {
        let _ = stream.take(MAX_BODY_BYTES).read_to_end(&mut bytes);
    }
    IncomingBody::finish(body);
    bytes
}
