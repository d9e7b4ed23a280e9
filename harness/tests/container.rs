//! The container target end to end, against the local Docker engine: the reference image
//! (built by `docker/build-image.sh`, started by `docker/engine.sh`) starts through
//! `Container::start`, answers `GET /ready`, and is gone from the engine after the drop.
//!
//! These tests need the engine and the image; without them they fail and say so.

use ovcert::sut::container::Container;
use testcontainers::bollard::errors::Error as EngineError;
use testcontainers::bollard::query_parameters::ListContainersOptionsBuilder;
use testcontainers::core::client::docker_client_instance;

/// The image under test: `OVCERT_IMAGE`, as for `docker/build-image.sh`.
fn image() -> String {
    std::env::var("OVCERT_IMAGE").unwrap_or_else(|_| "ovcert-reference:dev".to_owned())
}

const NEEDS: &str = "this test needs a Docker engine (docker/engine.sh) and the reference image (docker/build-image.sh)";

/// Whether the engine still knows the container.
async fn engine_knows(container_id: &str) -> bool {
    let engine = docker_client_instance().await.expect(NEEDS);
    match engine.inspect_container(container_id, None).await {
        Ok(_) => true,
        Err(EngineError::DockerResponseServerError {
            status_code: 404, ..
        }) => false,
        Err(error) => panic!("inspecting container {container_id}: {error}"),
    }
}

// Multi-threaded runtimes, as `ovcert run` uses: there testcontainers removes a dropped
// container by blocking in place (a current-thread runtime hands it to a thread of its own).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_image_answers_ready_on_loopback_and_is_removed_on_drop() {
    let image = image();
    let container = Container::start(&image, &["--test-controls".to_owned()])
        .await
        .unwrap_or_else(|error| panic!("{error}\n({NEEDS})"));

    assert!(
        container.base_url().starts_with("http://127.0.0.1:"),
        "{}",
        container.base_url()
    );
    let identity = container.identity();
    assert!(
        identity.starts_with(&format!("image {image} (sha256:")) && identity.ends_with(')'),
        "{identity}"
    );
    let ready: serde_json::Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{}/ready", container.base_url()))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("GET /ready")
        .json()
        .await
        .expect("GET /ready answers JSON");
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["test_controls"], true, "started with --test-controls");
    assert!(
        ready["system"]
            .as_str()
            .is_some_and(|s| s.starts_with("ovcert reference server")),
        "{ready}"
    );

    let id = container.container_id().to_owned();
    assert!(engine_knows(&id).await);
    drop(container);
    assert!(
        !engine_knows(&id).await,
        "container {id} is still there after the drop"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_exits_is_reported_with_its_log_and_removed() {
    let error = Container::start(&image(), &["--no-such-option".to_owned()])
        .await
        .expect_err("a server that rejects its arguments never becomes ready");
    let message = error.to_string();
    assert!(
        message.contains("exited before it was ready"),
        "{message}\n({NEEDS})"
    );
    assert!(message.contains("--no-such-option"), "{message}");

    let engine = docker_client_instance().await.expect(NEEDS);
    let all = ListContainersOptionsBuilder::default().all(true).build();
    let left: Vec<_> = engine
        .list_containers(Some(all))
        .await
        .expect("listing containers")
        .into_iter()
        .filter(|c| {
            c.command
                .as_deref()
                .unwrap_or("")
                .contains("--no-such-option")
        })
        .collect();
    assert!(
        left.is_empty(),
        "a failed start left containers behind: {left:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_missing_locally_is_refused_not_pulled() {
    let error = Container::start("ovcert-reference:no-such-tag", &[])
        .await
        .expect_err("no such image");
    let message = error.to_string();
    assert!(
        message.contains("is not in the local Docker engine"),
        "{message}\n({NEEDS})"
    );
}
