//! `user add|passwd|list|disable`.

use super::Failure;
use crate::audit::{self, Action, hooks};
use crate::auth::password;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::crypto::{KeyRing, normalise_username};
use crate::db::roles::{self, RoleId};
use crate::db::staff::{self, NewStaff, Role};
use crate::db::{Db, DbConn};
use clap::{Subcommand, ValueEnum};
use std::collections::HashMap;
use std::io::BufRead;

/// The built-in roles; custom roles are given in the admin UI.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Admin,
    Supervisor,
    Operator,
    /// Data-protection officer.
    #[value(name = "dpo", alias = "data-protection-officer")]
    Dpo,
    Auditor,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account; prints a generated password unless --password-stdin.
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Optional e-mail address (stored encrypted).
        #[arg(long)]
        email: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password; ends the account's sessions.
    Passwd {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List staff accounts.
    List,
    /// Disable an account and end its sessions.
    Disable { name: String },
}

fn open(config: &Config) -> Result<(KeyRing, Db), Failure> {
    let ring = KeyRing::load(&config.key_ring_path())
        .map_err(|e| Failure::runtime(format!("{e} (run `plauder init` first)")))?;
    let db = Db::open(config.database_url().expose()).map_err(Failure::runtime)?;
    db.migrate().map_err(Failure::runtime)?;
    Ok((ring, db))
}

pub fn run(config: Config, cmd: UserCommand) -> Result<(), Failure> {
    let (ring, db) = open(&config)?;
    let mut conn = db.conn().map_err(Failure::runtime)?;
    let now = SystemClock.naive();
    match cmd {
        UserCommand::Add {
            name,
            role,
            email,
            password_stdin,
        } => {
            let name = valid_name(&name)?;
            let email = email.map(|e| valid_email(&e)).transpose()?;
            let (pw, generated) = choose_password(&name, password_stdin)?;
            let hash = password::hash(&pw).map_err(Failure::runtime)?;
            let role = match role {
                RoleArg::Admin => Role::Admin,
                RoleArg::Supervisor => Role::Supervisor,
                RoleArg::Operator => Role::Operator,
                RoleArg::Dpo => Role::Dpo,
                RoleArg::Auditor => Role::Auditor,
            };
            if staff::by_username(&mut conn, &name)
                .map_err(Failure::runtime)?
                .is_some()
            {
                return Err(Failure {
                    code: 1,
                    message: format!("user `{name}` already exists"),
                });
            }
            let new = NewStaff {
                username: &name,
                email: email.as_deref(),
                role,
                password_hash: &hash,
            };
            let entry = |id: &staff::StaffId| hooks::by_system(now, Action::StaffCreated, *id);
            let insert = |c: &mut DbConn| staff::insert(c, &ring, &new, now);
            audit::after(&mut conn, &ring, insert, entry).map_err(Failure::runtime)?;
            println!("user `{name}` created ({})", role.as_str());
            if generated {
                println!("password: {pw}");
            }
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            let account = find(&mut conn, &name)?;
            let (pw, generated) = choose_password(&account.username, password_stdin)?;
            let hash = password::hash(&pw).map_err(Failure::runtime)?;
            let entry = hooks::by_system(now, Action::PasswordChanged, account.id);
            audit::before(&mut conn, &ring, &entry, |c| {
                staff::set_password(c, account.id, &hash, now)
            })
            .map_err(Failure::runtime)?;
            println!(
                "password of `{}` changed; its sessions ended",
                account.username
            );
            if generated {
                println!("password: {pw}");
            }
        }
        UserCommand::List => {
            let role_names: HashMap<RoleId, String> = roles::list(&mut conn)
                .map_err(Failure::runtime)?
                .into_iter()
                .map(|r| (r.id, r.builtin.map_or(r.name, |b| b.as_str().to_string())))
                .collect();
            println!("{:<24} {:<10} {:<9} created", "user", "role", "status");
            for s in staff::list(&mut conn).map_err(Failure::runtime)? {
                let status = if s.disabled { "disabled" } else { "active" };
                println!(
                    "{:<24} {:<10} {:<9} {}",
                    s.username,
                    role_names.get(&s.role).map_or("?", String::as_str),
                    status,
                    s.created_at.format("%Y-%m-%d")
                );
            }
        }
        UserCommand::Disable { name } => {
            let account = find(&mut conn, &name)?;
            let entry = hooks::by_system(now, Action::StaffDisabled, account.id);
            let ended = audit::before(&mut conn, &ring, &entry, |c| {
                staff::disable(c, account.id, now)
            })
            .map_err(Failure::runtime)?;
            println!(
                "user `{}` disabled; {ended} session(s) ended",
                account.username
            );
        }
    }
    Ok(())
}

fn find(conn: &mut DbConn, name: &str) -> Result<staff::Staff, Failure> {
    staff::by_username(conn, &normalise_username(name))
        .map_err(Failure::runtime)?
        .ok_or_else(|| Failure::runtime(format!("no user `{name}`")))
}

fn valid_name(name: &str) -> Result<String, Failure> {
    let name = normalise_username(name);
    let ok = (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok {
        Ok(name)
    } else {
        Err(Failure {
            code: 2,
            message: "user name: 2–64 characters of a-z, 0-9, '.', '_' or '-'".into(),
        })
    }
}

fn valid_email(email: &str) -> Result<String, Failure> {
    let email = email.trim();
    let ok = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'));
    if ok {
        Ok(email.to_string())
    } else {
        Err(Failure {
            code: 2,
            message: format!("e-mail address `{email}` is not valid"),
        })
    }
}

/// The password from stdin (checked against the policy) or a generated one.
fn choose_password(username: &str, from_stdin: bool) -> Result<(String, bool), Failure> {
    if !from_stdin {
        return Ok((password::generate().map_err(Failure::runtime)?, true));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::runtime(format!("cannot read the password: {e}")))?;
    let pw = line.trim_end_matches(['\n', '\r']).to_string();
    password::check_policy(&pw, username).map_err(|e| Failure {
        code: 2,
        message: e.to_string(),
    })?;
    Ok((pw, false))
}
