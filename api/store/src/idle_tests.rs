//! What the background jobs ask of a database with nothing to do: each claim is one read, and
//! nothing is asked about an empty set (`WHERE app_id = ANY('{}')`, an `UPDATE … IN ()`) — a
//! replica polls every second or so, for as long as it runs.

use std::sync::{Arc, Mutex};

use diesel::connection::{Connection, Instrumentation, InstrumentationEvent};

use crate::emails::EmailRow;
use crate::push::{self, MessageRow, SettingsRow};
use crate::webhooks::DeliveryRow;
use crate::DbConn;

/// Records the text of every statement a connection runs.
#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<String>>>);

impl Instrumentation for Statements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            self.0.lock().expect("statements").push(query.to_string());
        }
    }
}

impl Statements {
    /// The statements `f` ran (transaction control aside).
    fn of(&self, conn: &mut DbConn, f: impl FnOnce(&mut DbConn)) -> Vec<String> {
        self.0.lock().expect("statements").clear();
        f(conn);
        let ran = self.0.lock().expect("statements").clone();
        ran.into_iter()
            .filter(|s| {
                let s = s.trim_start().to_uppercase();
                ["SELECT", "UPDATE", "DELETE", "INSERT"]
                    .iter()
                    .any(|verb| s.starts_with(verb))
            })
            .collect()
    }
}

/// One job's poll, by the job's name.
type Poll<'a> = (&'static str, Box<dyn FnOnce(&mut DbConn) + 'a>);

#[test]
fn an_idle_poll_is_one_read_per_job_and_never_asks_about_an_empty_set() {
    let pool = crate::pool(":memory:", 1, std::time::Duration::from_secs(5)).expect("pool");
    let mut conn = pool.get().expect("connection");
    crate::migrate(&mut conn).expect("migrations");
    let statements = Statements::default();
    conn.set_instrumentation(statements.clone());
    let now = crate::clock::now();
    let lease = chrono::Duration::seconds(60);

    let polls: [Poll; 6] = [
        (
            "scheduled pushes",
            Box::new(|c| assert!(MessageRow::claim_due(c, now, 20).expect("claim").is_empty())),
        ),
        (
            "fan-out",
            Box::new(|c| assert!(MessageRow::claim_fanout(c).expect("claim").is_none())),
        ),
        (
            "push deliveries",
            Box::new(|c| {
                assert!(push::claim_due(c, now, 1000, lease)
                    .expect("claim")
                    .is_empty())
            }),
        ),
        (
            "webhook deliveries",
            Box::new(|c| {
                let ids = DeliveryRow::claim_due(c, now, 1000, lease).expect("claim");
                assert!(DeliveryRow::load_claimed(c, &ids).expect("load").is_empty());
            }),
        ),
        (
            "emails",
            Box::new(|c| assert!(EmailRow::claim_due(c, 50, lease).expect("claim").is_empty())),
        ),
        (
            "analytics folds",
            Box::new(|c| assert_eq!(crate::rollups::fold_pending(c, 100).expect("fold"), 0)),
        ),
    ];
    for (job, poll) in polls {
        let ran = statements.of(&mut conn, poll);
        assert_eq!(ran.len(), 1, "{job} ran {ran:#?}");
    }

    // What the push sender reads about the deliveries it claimed: nothing, when it claimed none.
    for (what, ran) in [
        (
            "messages",
            statements.of(&mut conn, |c| {
                assert!(MessageRow::by_ids(c, &[]).expect("read").is_empty())
            }),
        ),
        (
            "settings",
            statements.of(&mut conn, |c| {
                assert!(SettingsRow::of_apps(c, &[]).expect("read").is_empty())
            }),
        ),
    ] {
        assert!(ran.is_empty(), "{what} of no ids ran {ran:#?}");
    }
}
