//! Which credentials moat uses, and resolving them once.
//!
//! - **Order** (as the AWS CLI): an explicit `--profile` wins; else access
//!   keys in the environment (`AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY`,
//!   with `AWS_SESSION_TOKEN` when set); else the default chain, where
//!   `AWS_PROFILE` names the profile (then web identity, container and
//!   instance metadata). `AWS_PROFILE` never overrides keys in the
//!   environment.
//! - **Once**: every client of the backend shares one [`SingleFlight`]
//!   provider. A slow provider (a `credential_process` waiting for an MFA
//!   push, an `aws login` or SSO refresh) runs once however many requests
//!   wait for it, and is not cut by a request's attempt timeout: it runs in
//!   its own task, and a retried attempt joins the same run. Its answer is
//!   kept until shortly before it expires.

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use std::error::Error;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Where moat takes its credentials from (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CredentialSource {
    /// `--profile NAME`.
    Profile(String),
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` [/ `AWS_SESSION_TOKEN`].
    Environment,
    /// The default chain: `AWS_PROFILE` or the default profile, web
    /// identity, container, instance metadata.
    Chain,
}

/// The source for an explicit `--profile` (if any) and the environment `env`.
pub(crate) fn credential_source(
    profile_flag: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> CredentialSource {
    if let Some(p) = profile_flag.map(str::trim).filter(|p| !p.is_empty()) {
        return CredentialSource::Profile(p.to_string());
    }
    let set = |name: &str| env(name).is_some_and(|v| !v.trim().is_empty());
    if set("AWS_ACCESS_KEY_ID") && set("AWS_SECRET_ACCESS_KEY") {
        return CredentialSource::Environment;
    }
    CredentialSource::Chain
}

/// Credentials closer than this to their expiry are resolved again.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

type Run = Shared<BoxFuture<'static, Result<Credentials, Arc<CredentialsError>>>>;

#[derive(Default)]
struct State {
    cached: Option<Credentials>,
    running: Option<Run>,
}

/// One provider run at a time, shared by every caller, kept until it
/// expires (see the module docs).
pub(crate) struct SingleFlight {
    inner: SharedCredentialsProvider,
    state: Mutex<State>,
}

impl fmt::Debug for SingleFlight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SingleFlight")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl SingleFlight {
    pub(crate) fn new(inner: impl ProvideCredentials + 'static) -> SingleFlight {
        SingleFlight {
            inner: SharedCredentialsProvider::new(inner),
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let run = {
            let mut state = self.state();
            if let Some(c) = &state.cached
                && fresh(c, SystemTime::now())
            {
                return Ok(c.clone());
            }
            match &state.running {
                Some(run) => run.clone(),
                None => {
                    let inner = self.inner.clone();
                    // Its own task: a caller that gives up (an attempt
                    // timeout) does not cut the run others wait for.
                    let task =
                        tokio::spawn(
                            async move { inner.provide_credentials().await.map_err(Arc::new) },
                        );
                    let run: BoxFuture<'static, _> = Box::pin(async move {
                        match task.await {
                            Ok(r) => r,
                            Err(e) => Err(Arc::new(CredentialsError::unhandled(e))),
                        }
                    });
                    let run = run.shared();
                    state.running = Some(run.clone());
                    run
                }
            }
        };
        let result = run.clone().await;
        let mut state = self.state();
        if state.running.as_ref().is_some_and(|r| r.ptr_eq(&run)) {
            state.running = None;
            if let Ok(c) = &result {
                state.cached = Some(c.clone());
            }
        }
        result.map_err(|e| again(&e))
    }
}

impl ProvideCredentials for SingleFlight {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.load())
    }
}

fn fresh(c: &Credentials, now: SystemTime) -> bool {
    c.expiry().is_none_or(|t| t > now + REFRESH_MARGIN)
}

/// A shared run's error, for one more caller: the same kind, the same text.
fn again(e: &Arc<CredentialsError>) -> CredentialsError {
    let source = SharedError(e.clone());
    match e.as_ref() {
        CredentialsError::CredentialsNotLoaded(_) => CredentialsError::not_loaded(source),
        CredentialsError::InvalidConfiguration(_) => {
            CredentialsError::invalid_configuration(source)
        }
        CredentialsError::ProviderError(_) | CredentialsError::ProviderTimedOut(_) => {
            CredentialsError::provider_error(source)
        }
        _ => CredentialsError::unhandled(source),
    }
}

#[derive(Debug)]
struct SharedError(Arc<CredentialsError>);

impl fmt::Display for SharedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Error for SharedError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| vars.get(k).cloned()
    }

    #[test]
    fn an_explicit_profile_wins_over_environment_keys() {
        let e = env(&[
            ("AWS_ACCESS_KEY_ID", "AKIA"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("AWS_PROFILE", "other"),
        ]);
        assert_eq!(
            credential_source(Some("prod"), &e),
            CredentialSource::Profile("prod".into())
        );
    }

    #[test]
    fn environment_keys_win_over_aws_profile() {
        let e = env(&[
            ("AWS_ACCESS_KEY_ID", "AKIA"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("AWS_SESSION_TOKEN", "t"),
            ("AWS_PROFILE", "prod"),
        ]);
        assert_eq!(credential_source(None, &e), CredentialSource::Environment);
    }

    #[test]
    fn aws_profile_applies_without_environment_keys() {
        let e = env(&[("AWS_PROFILE", "prod")]);
        assert_eq!(credential_source(None, &e), CredentialSource::Chain);
        // Half a key pair is not a key pair: the chain decides (and says why).
        let e = env(&[("AWS_ACCESS_KEY_ID", "AKIA"), ("AWS_PROFILE", "prod")]);
        assert_eq!(credential_source(None, &e), CredentialSource::Chain);
        let e = env(&[("AWS_ACCESS_KEY_ID", " "), ("AWS_SECRET_ACCESS_KEY", "s")]);
        assert_eq!(credential_source(None, &e), CredentialSource::Chain);
        assert_eq!(credential_source(Some(" "), &e), CredentialSource::Chain);
    }

    /// A provider that takes `delay` and counts its runs.
    #[derive(Debug)]
    struct Slow {
        delay: Duration,
        runs: Arc<AtomicUsize>,
        expiry: Option<SystemTime>,
    }

    impl ProvideCredentials for Slow {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            future::ProvideCredentials::new(async move {
                self.runs.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(self.delay).await;
                Ok(Credentials::new(
                    "AKIA",
                    "secret",
                    None,
                    self.expiry,
                    "slow",
                ))
            })
        }
    }

    #[tokio::test]
    async fn a_slow_provider_runs_once_for_every_caller_even_when_one_gives_up() {
        let runs = Arc::new(AtomicUsize::new(0));
        let p = Arc::new(SingleFlight::new(Slow {
            delay: Duration::from_millis(300),
            runs: runs.clone(),
            expiry: None,
        }));
        // A caller cut by its own timeout does not cut the run.
        let cut = tokio::time::timeout(Duration::from_millis(50), p.provide_credentials()).await;
        assert!(cut.is_err());
        let (a, b) = tokio::join!(p.provide_credentials(), p.provide_credentials());
        assert_eq!(
            a.ok().map(|c| c.access_key_id().to_string()),
            Some("AKIA".into())
        );
        assert!(b.is_ok());
        assert!(p.provide_credentials().await.is_ok());
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn credentials_about_to_expire_are_resolved_again() {
        let runs = Arc::new(AtomicUsize::new(0));
        let p = SingleFlight::new(Slow {
            delay: Duration::ZERO,
            runs: runs.clone(),
            expiry: Some(SystemTime::now() + Duration::from_secs(30)),
        });
        assert!(p.provide_credentials().await.is_ok());
        assert!(p.provide_credentials().await.is_ok());
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failure_keeps_its_kind_for_every_caller() {
        #[derive(Debug)]
        struct None_;
        impl ProvideCredentials for None_ {
            fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
            where
                Self: 'a,
            {
                future::ProvideCredentials::new(async {
                    Err(CredentialsError::not_loaded("no IMDS here"))
                })
            }
        }
        let p = SingleFlight::new(None_);
        let e = p.provide_credentials().await.err();
        assert!(
            matches!(e, Some(CredentialsError::CredentialsNotLoaded(_))),
            "{e:?}"
        );
        let text = e
            .map(|e| super::super::error::error_chain(&e))
            .unwrap_or_default();
        assert!(text.contains("no IMDS here"), "{text}");
    }
}
