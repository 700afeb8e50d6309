//! `redress user create` as an operator runs it, and the user it makes signing in to the desk
//! that `redress serve` serves beside the API.

use reqwest::StatusCode;
use std::io::Write;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

fn redress(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("redress runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A `redress serve` process, stopped when dropped.
struct Server {
    base: String,
    child: Child,
}

impl Server {
    async fn start(data_dir: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let server = Self {
            base: format!("http://{addr}"),
            child: Command::new(env!("CARGO_BIN_EXE_redress"))
                .args(["serve", "--addr", &addr, "--data-dir", data_dir])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("redress serve starts"),
        };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(up) = client.get(format!("{}/healthz", server.base)).send().await
                && up.status() == StatusCode::OK
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redress serve did not answer on {addr}");
    }

    /// Signs in: the status, and the session cookie if one was given.
    async fn sign_in(&self, email: &str, password: &str) -> (StatusCode, Option<String>) {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let body = format!(
            "email={}&password={}",
            email.replace('@', "%40"),
            password.replace(' ', "+")
        );
        let response = client
            .post(format!("{}/sign-in", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let cookie = response
            .headers()
            .get("set-cookie")
            .map(|v| v.to_str().unwrap().to_owned());
        (response.status(), cookie)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_user_created_from_the_command_line_signs_in_to_the_desk_with_their_password() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    // The first admin, their password read from stdin: nothing is printed but what was done.
    let given = redress(
        &[
            "user",
            "create",
            "--role",
            "admin",
            "--email",
            "Boss@Example.com",
            "--name",
            "The Boss",
            "--password-stdin",
            "--data-dir",
            data,
        ],
        Some("correct horse battery staple\n"),
    );
    assert!(given.status.success(), "{}", text(&given.stderr));
    assert_eq!(text(&given.stdout), "");
    assert!(
        text(&given.stderr).contains("created the user boss@example.com with the role admin"),
        "{}",
        text(&given.stderr)
    );
    // An agent with no password given: one is made, and printed once on stdout.
    let made = redress(
        &[
            "user",
            "create",
            "--role",
            "agent",
            "--email",
            "ana@example.com",
            "--data-dir",
            data,
        ],
        None,
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let password = text(&made.stdout).trim().to_owned();
    assert_eq!(password.len(), 27, "{password}");
    // Refused, each with its reason and exit code 2: an email taken (whatever its case), a
    // short password, an address that is none, a role that is none.
    for (args, stdin, says) in [
        (
            vec!["--role", "agent", "--email", "BOSS@example.com"],
            None,
            "exists already",
        ),
        (
            vec![
                "--role",
                "agent",
                "--email",
                "eve@example.com",
                "--password-stdin",
            ],
            Some("too short\n"),
            "at least 12 characters",
        ),
        (
            vec!["--role", "agent", "--email", "not an address"],
            None,
            "is not an email address",
        ),
    ] {
        let mut all = vec!["user", "create"];
        all.extend(args);
        all.extend(["--data-dir", data]);
        let refused = redress(&all, stdin);
        assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
        assert!(
            text(&refused.stderr).contains(says),
            "{}",
            text(&refused.stderr)
        );
        assert_eq!(text(&refused.stdout), "");
    }
    let no_role = redress(
        &[
            "user",
            "create",
            "--role",
            "boss",
            "--email",
            "x@example.com",
            "--data-dir",
            data,
        ],
        None,
    );
    assert_eq!(no_role.status.code(), Some(2));
    // Both sign in to the desk `redress serve` serves; a wrong password does not.
    let server = Server::start(data).await;
    let (status, cookie) = server
        .sign_in("boss@example.com", "correct horse battery staple")
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(cookie.unwrap().starts_with("redress_session="));
    let (status, cookie) = server.sign_in("ana@example.com", &password).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(cookie.is_some());
    let (status, cookie) = server.sign_in("ana@example.com", "guessing wrong").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cookie, None);
}
