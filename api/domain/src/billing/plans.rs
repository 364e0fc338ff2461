//! The price list, as admins keep it.

use types::billing::CreatePlan;

use super::*;
use crate::db::plans::NewPlan;

/// Adds the plan `body` describes to the price list, as `actor` (an admin).
pub fn create_plan(
    conn: &mut DbConn,
    actor: &Actor,
    body: &CreatePlan,
    now: NaiveDateTime,
) -> AppResult<PlanRow> {
    let plan = PlanRow::insert(
        conn,
        &NewPlan {
            name: body.name.trim(),
            edition: body.edition.as_str(),
            billing_interval: body.interval.as_str(),
            price: body.price,
            currency: &body.currency,
            trial_days: body.trial_days,
            active: body.active.unwrap_or(true),
            publish_in_trial: body.publish_in_trial.unwrap_or(false),
            created_at: now,
            updated_at: now,
        },
    )?;
    actor.record(conn, "plan.create", "plan", Some(plan.id.to_string()))?;
    Ok(plan)
}
