//! The container target's life cycle: a locally built image (the reference server
//! `ovcert-reference:dev` or a participant's) started with testcontainers, on host networking,
//! listening on a loopback port the harness chose, and removed again when dropped.
//!
//! No image is ever pulled: there is no registry to pull from, and a certification must run
//! exactly the image that was handed in. [`Container::start`] therefore looks the image up in
//! the local engine first and refuses one that is not there. testcontainers' Rust crate has no
//! reaper container (no "ryuk"), so nothing else is pulled either; a container is removed by
//! [`Container`]'s drop.
//!
//! All traffic stays on 127.0.0.1: the container shares the host's network namespace and the
//! harness passes the address to listen on (`OVCERT_LISTEN`), so the engine needs no bridge,
//! no port mapping and no iptables rules (see `docker/engine.sh`).

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use testcontainers::bollard::Docker;
use testcontainers::bollard::errors::Error as EngineError;
use testcontainers::core::client::docker_client_instance;
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, GenericImage, ImageExt};

use super::SutError;

/// How long the engine may take to answer a ping before it counts as unreachable.
const ENGINE_ANSWER_LIMIT: Duration = Duration::from_secs(10);
/// How long a container may take from `docker start` to answering `GET /ready` with 200.
const READY_LIMIT: Duration = Duration::from_secs(30);
/// How long one `GET /ready` may take.
const READY_REQUEST_LIMIT: Duration = Duration::from_secs(2);
/// The pause between two looks at a starting container.
const POLL_INTERVAL: Duration = Duration::from_millis(50);
/// How many of the container's last log lines an error shows.
const LOG_TAIL_LINES: usize = 30;
/// The line `ovcert serve` prints once its socket is bound (followed by `http://ADDR`).
const LISTENING_MARK: &str = "listening on ";
/// The environment variable `ovcert serve` takes its listen address from.
const LISTEN_ENV: &str = "OVCERT_LISTEN";
/// The operation named in every error of this module.
const OPERATION: &str = "start container";

/// A running container of a locally built image, listening on a loopback port.
///
/// Dropping it removes the container, also when a run failed or panicked, and also outside
/// the Tokio runtime that started it.
pub struct Container {
    /// Always `Some` until the drop takes it.
    container: Option<ContainerAsync<GenericImage>>,
    image: String,
    image_id: String,
    base_url: String,
}

impl Container {
    /// Starts `image` ("name:tag", a locally built image, never pulled) with host networking,
    /// listening on `127.0.0.1:<free port>` (passed as `OVCERT_LISTEN`), with `args` appended
    /// to the image's entrypoint (e.g. `["--test-controls"]`). Returns once the server printed
    /// its "listening on" line and `GET /ready` answered 200, or an error with the container's
    /// log tail after [`READY_LIMIT`].
    pub async fn start(image: &str, args: &[String]) -> Result<Container, SutError> {
        let (name, tag) = split_reference(image).map_err(|why| SutError::new(OPERATION, why))?;
        let engine = engine().await?;
        let image_id = local_image_id(&engine, image).await?;
        let address = free_loopback_address()?;

        let request = GenericImage::new(name, tag)
            .with_network("host")
            .with_env_var(LISTEN_ENV, address.to_string())
            .with_cmd(args.iter().cloned());
        let container = request.start().await.map_err(|error| {
            SutError::new(
                OPERATION,
                format!("the engine could not start {image}: {error}"),
            )
        })?;
        // The engine's answer for this container, in case the tag moved since the lookup.
        let image_id = container_image_id(&engine, container.id())
            .await
            .unwrap_or(image_id);
        let started = Container {
            container: Some(container),
            image: image.to_owned(),
            image_id,
            base_url: format!("http://{address}"),
        };
        started.wait_until_ready(&address).await?;
        Ok(started)
    }

    /// The server's base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// What ran, for reports: `image ovcert-reference:dev (sha256:…)`, with the image id the
    /// engine reports (the digest of the image's configuration).
    pub fn identity(&self) -> String {
        format!("image {} ({})", self.image, self.image_id)
    }

    /// The engine's id of the container.
    pub fn container_id(&self) -> &str {
        self.inner().id()
    }

    fn inner(&self) -> &ContainerAsync<GenericImage> {
        self.container
            .as_ref()
            .expect("a Container holds its container until it is dropped")
    }

    /// Waits for the "listening on" line, then for `GET /ready` == 200, while the container
    /// runs and [`READY_LIMIT`] has not passed.
    async fn wait_until_ready(&self, address: &SocketAddr) -> Result<(), SutError> {
        let http = reqwest::Client::builder()
            // Loopback only: a proxy from the environment must not see this traffic.
            .no_proxy()
            .timeout(READY_REQUEST_LIMIT)
            .build()
            .map_err(|error| SutError::new(OPERATION, format!("HTTP client: {error}")))?;
        let ready_url = format!("{}/ready", self.base_url);
        let deadline = Instant::now() + READY_LIMIT;
        let mut listening = false;
        let mut last_answer = String::from("no answer yet");
        loop {
            if !listening {
                listening = self.announced_listening(address).await?;
            }
            if listening {
                match http.get(&ready_url).send().await {
                    Ok(response) if response.status() == reqwest::StatusCode::OK => return Ok(()),
                    Ok(response) => last_answer = format!("status {}", response.status()),
                    Err(error) => last_answer = format!("{error}"),
                }
            }
            if !self.inner().is_running().await.unwrap_or(false) {
                let exit = match self.inner().exit_code().await {
                    Ok(Some(code)) => format!("exit code {code}"),
                    _ => String::from("unknown exit code"),
                };
                return Err(self
                    .failure(format!("exited before it was ready ({exit})"))
                    .await);
            }
            if Instant::now() >= deadline {
                let stage = if listening {
                    format!("GET {ready_url} did not answer 200 (last: {last_answer})")
                } else {
                    format!("it printed no `{LISTENING_MARK}` line")
                };
                return Err(self
                    .failure(format!("not ready after {READY_LIMIT:?}: {stage}"))
                    .await);
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Whether the server printed its "listening on" line; an error when it listens on another
    /// address than the one it was given (with host networking that could be anyone's port).
    async fn announced_listening(&self, address: &SocketAddr) -> Result<bool, SutError> {
        let stdout = self.inner().stdout_to_vec().await.unwrap_or_default();
        let stdout = String::from_utf8_lossy(&stdout);
        let Some(line) = stdout.lines().find(|line| line.contains(LISTENING_MARK)) else {
            return Ok(false);
        };
        let expected = format!("http://{address}");
        let announced = line
            .split_once(LISTENING_MARK)
            .map_or("", |(_, rest)| rest.trim());
        if announced.trim_end_matches('/') != expected {
            return Err(self
                .failure(format!(
                    "it listens on {announced}, not on {expected} as {LISTEN_ENV} asked"
                ))
                .await);
        }
        Ok(true)
    }

    /// An error about this container, with the tail of its logs.
    async fn failure(&self, what: String) -> SutError {
        let stdout = self.inner().stdout_to_vec().await.unwrap_or_default();
        let stderr = self.inner().stderr_to_vec().await.unwrap_or_default();
        SutError::new(
            OPERATION,
            format!(
                "container {} of {} {what}\n--- stdout (last {LOG_TAIL_LINES} lines) ---\n{}--- stderr (last {LOG_TAIL_LINES} lines) ---\n{}",
                short_id(self.inner().id()),
                self.image,
                tail(&stdout),
                tail(&stderr),
            ),
        )
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let Some(container) = self.container.take() else {
            return;
        };
        // testcontainers removes the container from the drop, on the current Tokio runtime.
        // Outside one (a Container kept past `block_on`), a runtime made for the purpose
        // stands in, so the container is still removed instead of the drop panicking.
        if tokio::runtime::Handle::try_current().is_ok() {
            drop(container);
            return;
        }
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => {
                let _inside = runtime.enter();
                drop(container);
            }
            Err(error) => {
                eprintln!(
                    "ovcert: cannot remove container {} of {} (no async runtime: {error}); remove it with `docker rm -f`",
                    container.id(),
                    self.image
                );
                std::mem::forget(container);
            }
        }
    }
}

impl fmt::Debug for Container {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Container")
            .field("id", &self.container.as_ref().map(|c| c.id()))
            .field("image", &self.image)
            .field("image_id", &self.image_id)
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// Parses a `--target` value naming a container image: `image:NAME:TAG`.
///
/// `None` when `text` is not an image target; `Some(Ok("name:tag"))` for a well-formed one;
/// `Some(Err(why))` when it starts with `image:` but the reference is not `NAME:TAG` (a tag
/// is required: the image is found in the local engine by exactly that name and tag).
pub fn parse_image_target(text: &str) -> Option<Result<String, String>> {
    let reference = text.strip_prefix("image:")?;
    Some(split_reference(reference).map(|_| reference.to_owned()))
}

/// Splits `name:tag`, checking both parts against Docker's reference grammar (simplified:
/// lower-case name components separated by `/`, an optional `host:port/` prefix, a tag of
/// at most 128 word characters, dots and dashes).
fn split_reference(reference: &str) -> Result<(&str, &str), String> {
    const EXAMPLE: &str = "e.g. image:ovcert-reference:dev";
    if reference.is_empty() {
        return Err(format!("an image target needs NAME:TAG, {EXAMPLE}"));
    }
    if reference.contains('@') {
        return Err(format!(
            "`{reference}`: give the image as NAME:TAG, not by digest; the image must be in the local engine under that tag ({EXAMPLE})"
        ));
    }
    // The tag follows the last colon, unless that colon belongs to a registry's port.
    let Some((name, tag)) = reference
        .rsplit_once(':')
        .filter(|(_, tag)| !tag.contains('/'))
    else {
        return Err(format!(
            "`{reference}` has no tag: give NAME:TAG ({EXAMPLE}); a local image is found by exactly its name and tag"
        ));
    };
    if name.is_empty() {
        return Err(format!("`{reference}` has an empty image name ({EXAMPLE})"));
    }
    if tag.is_empty() {
        return Err(format!("`{reference}` has an empty tag ({EXAMPLE})"));
    }
    let name_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/:".contains(c);
    if let Some(bad) = name.chars().find(|&c| !name_char(c)) {
        return Err(format!(
            "`{reference}`: the image name may not contain `{bad}` (lower-case letters, digits, `.`, `_`, `-`, `/` only)"
        ));
    }
    let tag_char = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
    if tag.len() > 128 || tag.starts_with(['.', '-']) || !tag.chars().all(tag_char) {
        return Err(format!(
            "`{reference}`: the tag `{tag}` is not valid (at most 128 letters, digits, `_`, `.`, `-`, not starting with `.` or `-`)"
        ));
    }
    Ok((name, tag))
}

/// The engine testcontainers talks to (`DOCKER_HOST`, else the local socket), checked to answer.
async fn engine() -> Result<Docker, SutError> {
    const HOW_TO_START: &str = "start one with docker/engine.sh (as root: installs Debian's docker.io if needed and starts dockerd)";
    let host = std::env::var("DOCKER_HOST")
        .unwrap_or_else(|_| "unix:///var/run/docker.sock (the default)".to_owned());
    let unreachable = |why: String| {
        SutError::new(
            OPERATION,
            format!("no Docker engine reachable at {host}: {why}; {HOW_TO_START}"),
        )
    };
    let engine = docker_client_instance()
        .await
        .map_err(|error| unreachable(error.to_string()))?;
    match tokio::time::timeout(ENGINE_ANSWER_LIMIT, engine.ping()).await {
        Ok(Ok(_)) => Ok(engine),
        Ok(Err(error)) => Err(unreachable(error.to_string())),
        Err(_) => Err(unreachable(format!(
            "no answer to a ping within {ENGINE_ANSWER_LIMIT:?}"
        ))),
    }
}

/// The id of `image` in the local engine; an error (never a pull) when it is not there.
async fn local_image_id(engine: &Docker, image: &str) -> Result<String, SutError> {
    match engine.inspect_image(image).await {
        Ok(inspect) => inspect.id.ok_or_else(|| {
            SutError::new(
                OPERATION,
                format!("the engine reports no id for image {image}"),
            )
        }),
        Err(EngineError::DockerResponseServerError {
            status_code: 404, ..
        }) => Err(SutError::new(
            OPERATION,
            format!(
                "image {image} is not in the local Docker engine; build it first (the reference: docker/build-image.sh). Images are never pulled"
            ),
        )),
        Err(error) => Err(SutError::new(
            OPERATION,
            format!("looking up image {image}: {error}"),
        )),
    }
}

/// The image id the engine ran a container from.
async fn container_image_id(engine: &Docker, container_id: &str) -> Option<String> {
    let inspect = engine.inspect_container(container_id, None).await.ok()?;
    inspect.image
}

/// A loopback address with a port that was free a moment ago: the operating system picks
/// it, the harness releases it and hands it to the container. With host networking nothing
/// else reserves it in between; a clash shows as a server that fails to bind, with its log.
fn free_loopback_address() -> Result<SocketAddr, SutError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|error| SutError::new(OPERATION, format!("finding a free port: {error}")))?;
    listener
        .local_addr()
        .map_err(|error| SutError::new(OPERATION, format!("finding a free port: {error}")))
}

fn short_id(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// The last [`LOG_TAIL_LINES`] lines of a log, each ending in a newline.
fn tail(log: &[u8]) -> String {
    let text = String::from_utf8_lossy(log);
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(LOG_TAIL_LINES);
    lines[start..]
        .iter()
        .map(|line| format!("{line}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_image_target;

    /// `expect`: `None`, `Ok(reference)`, or `Err(a fragment of the message)`.
    fn check(text: &str, expect: Option<Result<&str, &str>>) {
        let got = parse_image_target(text);
        match (&got, expect) {
            (None, None) => {}
            (Some(Ok(reference)), Some(Ok(want))) if reference == want => {}
            (Some(Err(why)), Some(Err(fragment))) if why.contains(fragment) => {}
            _ => panic!("parse_image_target({text:?}) = {got:?}, expected {expect:?}"),
        }
    }

    #[test]
    fn image_targets() {
        check("in-process", None);
        check("http://127.0.0.1:8080", None);
        check("Image:ovcert-reference:dev", None);
        check(
            "image:ovcert-reference:dev",
            Some(Ok("ovcert-reference:dev")),
        );
        check(
            "image:vendor/reader-bo:1.2.3",
            Some(Ok("vendor/reader-bo:1.2.3")),
        );
        check(
            "image:localhost:5000/vendor/bo:v2_rc-1",
            Some(Ok("localhost:5000/vendor/bo:v2_rc-1")),
        );
        check("image:", Some(Err("needs NAME:TAG")));
        check("image:ovcert-reference", Some(Err("has no tag")));
        check("image:localhost:5000/vendor/bo", Some(Err("has no tag")));
        check("image:ovcert-reference:", Some(Err("empty tag")));
        check("image::dev", Some(Err("empty image name")));
        check("image:Ovcert:dev", Some(Err("may not contain `O`")));
        check(
            "image:ovcert reference:dev",
            Some(Err("may not contain ` `")),
        );
        check("image:ovcert:-dev", Some(Err("tag `-dev` is not valid")));
        check("image:ovcert:dev!", Some(Err("tag `dev!` is not valid")));
        check(
            &format!("image:ovcert:{}", "a".repeat(129)),
            Some(Err("is not valid")),
        );
        check("image:ovcert@sha256:0123", Some(Err("not by digest")));
    }
}
