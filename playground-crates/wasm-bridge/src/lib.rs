//! The ABI between a widget's JavaScript and a companion crate compiled to WebAssembly.
//!
//! Why not wasm-bindgen? It needs a CLI whose version must match the library's exactly, and a
//! generated JS glue file per crate. Our widgets only ever exchange small JSON messages, so the
//! whole contract fits in three functions:
//!
//! 1. JS asks for a buffer with [`dsip_alloc`] and writes the UTF-8 request into it;
//! 2. JS calls the crate's `dsip_call(ptr, len)`, which hands the request to [`respond`];
//! 3. JS reads the reply from the packed `(ptr << 32) | len` it got back, then frees both buffers
//!    with [`dsip_free`].
//!
//! Everything here is plain safe-to-read Rust: the only `unsafe` is turning the raw parts JS gave us
//! back into a `Vec`, which is sound because every pointer JS holds came from [`dsip_alloc`].

/// Reserves `len` bytes in the module's memory for JavaScript to write a request into.
///
/// The buffer is a `Vec<u8>` whose ownership is handed to JS; it comes back through [`dsip_free`]
/// (or is consumed by [`respond`]), so the allocator always sees a matching deallocation.
#[no_mangle]
pub extern "C" fn dsip_alloc(len: usize) -> *mut u8 {
    // A boxed slice has capacity == len exactly, which `dsip_free` relies on.
    Box::into_raw(vec![0u8; len].into_boxed_slice()) as *mut u8
}

/// Returns a buffer from [`dsip_alloc`] or from a reply to the allocator.
///
/// # Safety
/// `ptr` must come from [`dsip_alloc`] or a reply of [`respond`], with the same `len`, freed once.
#[no_mangle]
pub unsafe extern "C" fn dsip_free(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len));
}

/// Runs `handler` on the request JS wrote at `ptr..ptr+len` and returns the reply, packed as
/// `(reply_ptr << 32) | reply_len` so a single `u64` crosses the boundary (wasm32 pointers fit
/// in 32 bits).
///
/// The request buffer is freed here; the reply buffer belongs to JS until it calls [`dsip_free`].
/// A request that is not UTF-8 gets a JSON error reply rather than a trap, so a widget bug shows up
/// as a readable message in the console instead of a dead page.
///
/// # Safety
/// `ptr` and `len` must describe a buffer from [`dsip_alloc`] that JS has filled.
pub unsafe fn respond(ptr: *mut u8, len: usize, handler: impl FnOnce(&str) -> String) -> u64 {
    let request = Vec::from_raw_parts(ptr, len, len);
    let reply = match std::str::from_utf8(&request) {
        Ok(text) => handler(text),
        Err(_) => r#"{"error":"request was not UTF-8"}"#.to_string(),
    };
    let reply = reply.into_bytes().into_boxed_slice();
    let reply_len = reply.len() as u64;
    let reply_ptr = Box::into_raw(reply) as *mut u8;
    ((reply_ptr as u64) << 32) | reply_len
}

/// [`respond`] for the JSON-command handlers every widget uses: parses the request, runs
/// `handler`, and serialises its answer. An `Err(message)` (or a request that is not JSON)
/// becomes `{"error": message}`, which the widget runtime turns into a thrown `Error`, so each
/// crate's handler deals only in its own commands.
///
/// # Safety
/// As for [`respond`].
pub unsafe fn respond_json(
    ptr: *mut u8,
    len: usize,
    handler: impl FnOnce(&serde_json::Value) -> Result<serde_json::Value, String>,
) -> u64 {
    respond(ptr, len, |text| {
        let reply = serde_json::from_str::<serde_json::Value>(text)
            .map_err(|error| format!("request is not JSON: {error}"))
            .and_then(|request| handler(&request));
        match reply {
            Ok(value) => value.to_string(),
            Err(message) => serde_json::json!({ "error": message }).to_string(),
        }
    })
}
