//! `campdesk serve` as systemd runs it: READY over NOTIFY_SOCKET, a 0600 socket
//! that CLI commands attach to, a plain message for a second daemon, and a
//! clean stop on SIGTERM.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_campdesk")
}

fn config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("camps.toml")
}

fn start_daemon(data: &Path, notify: &Path) -> Child {
    Command::new(bin())
        .arg("serve")
        .arg("--data")
        .arg(data)
        .arg("--config")
        .arg(config())
        .env("NOTIFY_SOCKET", notify)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start campdesk serve")
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < Duration::from_secs(60), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serve_notifies_ready_serves_the_socket_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let notify_path = dir.path().join("notify.sock");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    notify.set_read_timeout(Some(Duration::from_secs(20))).unwrap();

    let mut daemon = start_daemon(&data, &notify_path);
    let mut buf = [0u8; 4096];
    let n = notify.recv(&mut buf).expect("READY notification");
    let msg = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(msg.contains("READY=1"), "{msg}");

    let socket = data.join("campdesk.sock");
    assert!(socket.exists());
    assert_eq!(std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777, 0o600);

    // A CLI command attaches to the daemon instead of opening the store.
    let out = Command::new(bin()).args(["status", "--json", "--data"]).arg(&data).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["engine_mode"], "attached");
    assert_eq!(v["served_by_pid"], daemon.id());
    assert_eq!(v["config"]["camps"][0]["id"], "2510-xhs");

    // A second daemon is told plainly who holds the data dir.
    let second =
        Command::new(bin()).args(["serve", "--data"]).arg(&data).arg("--config").arg(config()).output().unwrap();
    assert_eq!(second.status.code(), Some(1));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains(&format!("in use by a running `campdesk serve` (pid {})", daemon.id())), "{err}");

    // SIGTERM: STOPPING=1, exit 0, socket and owner file gone.
    let kill = Command::new("kill").arg("-TERM").arg(daemon.id().to_string()).status().unwrap();
    assert!(kill.success());
    let n = notify.recv(&mut buf).expect("STOPPING notification");
    assert!(String::from_utf8_lossy(&buf[..n]).contains("STOPPING=1"));
    let status = daemon.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(!socket.exists());
    assert!(!data.join("campdesk.owner").exists());

    // With no daemon, the same command runs the engine in-process.
    let out = Command::new(bin())
        .args(["status", "--json", "--data"])
        .arg(&data)
        .arg("--config")
        .arg(config())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["engine_mode"], "in_process");
}

#[test]
fn a_stale_socket_file_does_not_block_a_new_daemon() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    // A socket file left by a daemon that was killed with SIGKILL.
    drop(std::os::unix::net::UnixListener::bind(data.join("campdesk.sock")).unwrap());
    let notify_path = dir.path().join("notify.sock");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    notify.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut daemon = start_daemon(&data, &notify_path);
    let mut buf = [0u8; 256];
    let n = notify.recv(&mut buf).expect("READY");
    assert!(String::from_utf8_lossy(&buf[..n]).contains("READY=1"));
    wait_for("socket", || data.join("campdesk.sock").exists());
    daemon.kill().unwrap();
    daemon.wait().unwrap();
}
