//! The visitor side: widget settings, the loader script, the iframe page and the visitor
//! websocket. Never imports staff code (`console/`, `access/`).

pub mod settings;
