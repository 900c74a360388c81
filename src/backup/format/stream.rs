//! The sealed body: chunks written and read in constant memory, each authenticated before
//! a byte of it is handed on.

use super::{CHUNK, FormatError, Header, TAG};
use crate::crypto::KeyRing;
use ring::aead::{Aad, LessSafeKey};
use std::io::{self, Read, Write};

/// Seals everything written to it; call `finish` to seal the last chunk.
pub struct EncryptWriter<W: Write> {
    out: W,
    header: Header,
    aad: Vec<u8>,
    key: LessSafeKey,
    buf: Vec<u8>,
    counter: u32,
}

impl<W: Write> EncryptWriter<W> {
    /// Writes the header at once.
    pub fn new(mut out: W, header: Header, ring: &KeyRing) -> io::Result<Self> {
        let key = header.key(ring)?;
        let aad = header.to_bytes();
        out.write_all(&aad)?;
        Ok(Self {
            out,
            header,
            aad,
            key,
            buf: Vec::with_capacity(CHUNK + TAG),
            counter: 0,
        })
    }

    fn seal(&mut self, last: bool) -> io::Result<()> {
        let nonce = self.header.nonce(self.counter, last);
        let tag = self
            .key
            .seal_in_place_separate_tag(nonce, Aad::from(&self.aad), &mut self.buf)
            .map_err(|_| io::Error::other("encryption failed"))?;
        self.out.write_all(&self.buf)?;
        self.out.write_all(tag.as_ref())?;
        self.buf.clear();
        self.counter = self.counter.checked_add(1).ok_or(FormatError::TooLarge)?;
        Ok(())
    }

    /// Seals the last chunk and returns the inner writer (not yet synced).
    pub fn finish(mut self) -> io::Result<W> {
        self.seal(true)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for EncryptWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        // A full chunk is sealed only once more data arrives: until then it may be the last.
        if self.buf.len() == CHUNK {
            self.seal(false)?;
        }
        let take = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..take]);
        Ok(take)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Opens the chunks of an archive whose header was read; fails on the first bad chunk and
/// when the input ends before a chunk sealed as the last.
pub struct DecryptReader<R: Read> {
    input: R,
    header: Header,
    aad: Vec<u8>,
    key: LessSafeKey,
    plain: Vec<u8>,
    pos: usize,
    counter: u32,
    done: bool,
    peeked: Option<u8>,
}

impl<R: Read> DecryptReader<R> {
    pub fn new(mut input: R, ring: &KeyRing) -> Result<(Self, Header), FormatError> {
        let (header, aad) = Header::read(&mut input)?;
        let key = header.key(ring)?;
        Ok((
            Self {
                input,
                header: header.clone(),
                aad,
                key,
                plain: Vec::with_capacity(CHUNK + TAG),
                pos: 0,
                counter: 0,
                done: false,
                peeked: None,
            },
            header,
        ))
    }

    /// Reads (and authenticates) to the end; `Ok` only when the last chunk was seen.
    pub fn drain(&mut self) -> io::Result<()> {
        io::copy(self, &mut io::sink())?;
        if self.done {
            Ok(())
        } else {
            Err(FormatError::Truncated.into())
        }
    }

    fn next_chunk(&mut self) -> io::Result<()> {
        let mut buf = vec![0u8; CHUNK + TAG];
        let mut filled = 0;
        if let Some(b) = self.peeked.take() {
            buf[0] = b;
            filled = 1;
        }
        while filled < buf.len() {
            match self.input.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let last = if filled < buf.len() {
            true
        } else {
            let mut one = [0u8; 1];
            loop {
                match self.input.read(&mut one) {
                    Ok(0) => break true,
                    Ok(_) => {
                        self.peeked = Some(one[0]);
                        break false;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        };
        if filled < TAG {
            return Err(FormatError::Truncated.into());
        }
        buf.truncate(filled);
        let nonce = self.header.nonce(self.counter, last);
        let plain_len = self
            .key
            .open_in_place(nonce, Aad::from(&self.aad), &mut buf)
            .map_err(|_| FormatError::Chunk(self.counter))?
            .len();
        buf.truncate(plain_len);
        self.plain = buf;
        self.pos = 0;
        self.counter = self.counter.checked_add(1).ok_or(FormatError::TooLarge)?;
        self.done = last;
        Ok(())
    }
}

impl<R: Read> Read for DecryptReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.plain.len() {
            if self.done {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let n = out.len().min(self.plain.len() - self.pos);
        out[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
