//! `keys export` and `keys import`: the passphrase from a file or a terminal prompt without
//! echo, never from the command line (where `ps` and shell history would keep it).

use super::super::Failure;
use crate::backup::keyfile;
use crate::crypto::KeyRing;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

fn usage(message: impl Into<String>) -> Failure {
    Failure {
        code: 2,
        message: message.into(),
    }
}

fn passphrase(file: Option<&Path>, confirm: bool) -> Result<String, Failure> {
    let phrase = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
            text.lines().next().unwrap_or_default().to_string()
        }
        None => {
            if !std::io::stdin().is_terminal() {
                return Err(usage(
                    "no terminal to ask for the passphrase: use --passphrase-file FILE",
                ));
            }
            let first = prompt("Passphrase: ")?;
            if confirm && prompt("Passphrase again: ")? != first {
                return Err(usage("the passphrases differ"));
            }
            first
        }
    };
    if phrase.chars().count() < keyfile::MIN_PASSPHRASE {
        return Err(usage(format!(
            "the passphrase must have at least {} characters",
            keyfile::MIN_PASSPHRASE
        )));
    }
    Ok(phrase)
}

/// Reads one line from the terminal with echo off (restored afterwards).
fn prompt(label: &str) -> Result<String, Failure> {
    use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
    let stdin = std::io::stdin();
    eprint!("{label}");
    let _ = std::io::stderr().flush();
    let saved = tcgetattr(&stdin).map_err(|e| Failure::runtime(format!("terminal: {e}")))?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    tcsetattr(&stdin, OptionalActions::Now, &quiet)
        .map_err(|e| Failure::runtime(format!("terminal: {e}")))?;
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    let _ = tcsetattr(&stdin, OptionalActions::Now, &saved);
    eprintln!();
    read.map_err(|e| Failure::runtime(format!("cannot read the passphrase: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub fn export(ring_path: &Path, to: &Path, phrase_file: Option<&Path>) -> Result<(), Failure> {
    KeyRing::load(ring_path).map_err(Failure::runtime)?;
    let text = std::fs::read(ring_path)
        .map_err(|e| Failure::runtime(format!("cannot read {}: {e}", ring_path.display())))?;
    let phrase = passphrase(phrase_file, true)?;
    let sealed = keyfile::seal(&text, &phrase).map_err(Failure::runtime)?;
    let mut out = crate::backup::archive::create_private(to).map_err(Failure::runtime)?;
    out.write_all(&sealed)
        .and_then(|()| out.sync_all())
        .map_err(|e| Failure::runtime(format!("cannot write {}: {e}", to.display())))?;
    println!(
        "key ring exported to {} (encrypted under the passphrase).\n  Keep this file and the passphrase apart from the backups: together they open every backup.",
        to.display()
    );
    Ok(())
}

pub fn import(
    ring_path: &Path,
    from: &Path,
    phrase_file: Option<&Path>,
    force: bool,
) -> Result<(), Failure> {
    let data = std::fs::read(from)
        .map_err(|e| Failure::runtime(format!("cannot read {}: {e}", from.display())))?;
    let phrase = passphrase(phrase_file, false)?;
    let text = keyfile::open(&data, &phrase).map_err(Failure::runtime)?;
    // Checked as a key ring before anything is replaced.
    let dir = ring_path.parent().unwrap_or(Path::new("."));
    crate::setup::ensure_dir(dir).map_err(Failure::runtime)?;
    let candidate = ring_path.with_extension("import");
    let _ = std::fs::remove_file(&candidate);
    {
        let mut out =
            crate::backup::archive::create_private(&candidate).map_err(Failure::runtime)?;
        out.write_all(&text)
            .and_then(|()| out.sync_all())
            .map_err(|e| Failure::runtime(format!("cannot write {}: {e}", candidate.display())))?;
    }
    let imported = match KeyRing::load(&candidate) {
        Ok(r) => r.info(),
        Err(e) => {
            let _ = std::fs::remove_file(&candidate);
            return Err(Failure::runtime(format!(
                "the export holds no valid key ring: {e}"
            )));
        }
    };
    if ring_path.exists() {
        let same = std::fs::read(ring_path).map(|t| t == text).unwrap_or(false);
        if same {
            let _ = std::fs::remove_file(&candidate);
            println!("key ring {} is already in place", imported.ring_id);
            return Ok(());
        }
        if !force {
            let _ = std::fs::remove_file(&candidate);
            return Err(Failure::runtime(format!(
                "{} holds a different key ring; refusing to replace it (use --force; the old one is kept beside it)",
                ring_path.display()
            )));
        }
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let kept = std::path::PathBuf::from(format!("{}.replaced-{stamp}", ring_path.display()));
        std::fs::rename(ring_path, &kept)
            .map_err(|e| Failure::runtime(format!("cannot keep the old key ring: {e}")))?;
        println!("the old key ring is kept as {}", kept.display());
    }
    std::fs::rename(&candidate, ring_path)
        .map_err(|e| Failure::runtime(format!("cannot put the key ring in place: {e}")))?;
    println!(
        "key ring {} imported to {} ({} key(s))",
        imported.ring_id,
        ring_path.display(),
        imported.key_count
    );
    Ok(())
}
