//! The `chatdesk` binary as an operator runs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

fn chatdesk() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chatdesk"))
}

#[test]
fn help_documents_every_subcommand_and_option() {
    let out = chatdesk().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for word in [
        "serve",
        "bundle",
        "--config",
        "--data-dir",
        "--database-url",
        "--master-key-file",
        "--log-format",
    ] {
        assert!(help.contains(word), "--help lacks {word}:\n{help}");
    }
    let out = chatdesk().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for word in ["--listen", "--dist-dir", "sandbox"] {
        assert!(help.contains(word), "serve --help lacks {word}:\n{help}");
    }
}

#[test]
fn serve_prints_where_to_open_it_and_answers() {
    let data = tempfile::tempdir().unwrap();
    let mut child = chatdesk()
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .arg("--data-dir")
        .arg(data.path())
        .arg("--dist-dir")
        .arg(data.path().join("no-dist"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // A first start prints the admin's one-time password, then the URL.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let url = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "exited after {printed:?}"
        );
        printed += &line;
        if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            break url.to_owned();
        }
    };
    assert!(printed.contains("user admin, password "), "{printed}");
    let addr = url.trim_start_matches("http://").trim_end_matches('/');

    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains(r#"{"status":"ok"}"#), "{response}");
}

/// Starts `serve` on a fresh data directory with `env`, reads standard
/// output up to the line with the URL, stops it and returns what it wrote
/// to standard output and to the log (standard error).
fn first_start(env: &[(&str, &str)]) -> (String, String) {
    let data = tempfile::tempdir().unwrap();
    let mut child = chatdesk()
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .arg("--data-dir")
        .arg(data.path())
        .arg("--dist-dir")
        .arg(data.path().join("no-dist"))
        .env("RUST_LOG", "debug")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read the log as it comes, so that a full pipe never stops the server.
    let mut stderr = child.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        let mut log = String::new();
        stderr.read_to_string(&mut log).unwrap();
        log
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    while !printed.contains("http://") {
        assert!(
            stdout.read_line(&mut printed).unwrap() > 0,
            "exited after {printed:?}"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    (printed, log.join().unwrap())
}

#[test]
fn a_chosen_admin_password_is_never_printed_or_logged() {
    let chosen = "my chosen admin passphrase 42";
    let (stdout, log) = first_start(&[("CHATDESK_ADMIN_PASSWORD", chosen)]);
    assert!(!stdout.contains(chosen), "{stdout}");
    assert!(!stdout.contains("password"), "{stdout}");
    assert!(!log.contains(chosen), "{log}");
    // A generated one is shown, once, on the terminal only.
    let (stdout, log) = first_start(&[]);
    let generated = stdout
        .split("password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no password in {stdout}"));
    assert!(!log.contains(generated), "{log}");
}

#[test]
fn a_bad_configuration_names_the_field_and_fails() {
    let out = chatdesk()
        .args(["serve", "--database-url", "mysql://nope"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("database_url"), "{err}");
}
