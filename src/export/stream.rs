//! From a blocking producer to a streamed response body: the producer writes into a
//! `ChunkWriter` (a `std::io::Write`) that hands chunks of about 64 KiB through a bounded
//! channel; the response reads them as a `Stream`. The channel holds at most `DEPTH`
//! chunks, so a slow browser slows the producer down instead of the export piling up in
//! memory; a browser that goes away closes the channel and the producer's next write fails,
//! which ends it.

use actix_web::web::Bytes;
use std::io::{self, Write};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// Size of one chunk handed to the response.
const CHUNK: usize = 64 * 1024;
/// Chunks in flight at most (about 512 KiB).
const DEPTH: usize = 8;

/// The producer's end: buffers writes and sends full chunks, blocking while the channel is
/// full. Must only be used off the async executor (a blocking task).
pub struct ChunkWriter {
    buf: Vec<u8>,
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
}

/// The response's end.
pub struct ChunkStream {
    rx: mpsc::Receiver<Result<Bytes, io::Error>>,
}

/// A connected writer and stream.
pub fn channel() -> (ChunkWriter, ChunkStream) {
    let (tx, rx) = mpsc::channel(DEPTH);
    (
        ChunkWriter {
            buf: Vec::with_capacity(CHUNK),
            tx,
        },
        ChunkStream { rx },
    )
}

impl ChunkWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the download was cancelled"))
    }

    /// A handle that can end the stream with an error after the writer was handed on.
    pub fn failer(&self) -> Failer {
        Failer(self.tx.clone())
    }
}

/// Ends the body with an error, so the browser sees a failed download instead of a file
/// that looks complete. Nothing personal goes into the error.
pub struct Failer(mpsc::Sender<Result<Bytes, io::Error>>);

impl Failer {
    pub fn fail(self) {
        let _ = self
            .0
            .blocking_send(Err(io::Error::other("the export failed")));
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

impl ChunkStream {
    /// The next chunk, waiting for it; for tools and tests off the async executor.
    pub fn blocking_next(&mut self) -> Option<Result<Bytes, io::Error>> {
        self.rx.blocking_recv()
    }
}

impl futures_core::Stream for ChunkStream {
    type Item = Result<Bytes, io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn chunks_arrive_in_order_and_a_closed_stream_stops_the_writer() {
        let (mut w, mut s) = channel();
        let producer = std::thread::spawn(move || {
            for i in 0..3u8 {
                w.write_all(&vec![i; CHUNK]).unwrap();
            }
            w.flush().unwrap();
        });
        let mut seen = Vec::new();
        while let Some(chunk) = s.rx.blocking_recv() {
            seen.push(chunk.unwrap()[0]);
        }
        producer.join().unwrap();
        assert_eq!(seen, [0, 1, 2]);

        let (mut w, s) = channel();
        drop(s);
        let err = w.write_all(&vec![0; CHUNK]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    }
}
