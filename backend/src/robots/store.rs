//! What chatdesk itself keeps about robots: the unit of each robot's send
//! interval (upstream stores only the number).

use std::collections::HashMap;

use shared::robots::{IntervalUnit, RobotId};

use crate::db::{Db, now_ms};

/// The recorded units of `account_id`'s robots.
pub async fn interval_units(
    db: &Db,
    account_id: &str,
) -> Result<HashMap<RobotId, IntervalUnit>, sqlx::Error> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT robot_id, unit FROM robot_interval_units WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, unit)| Some((RobotId(id), IntervalUnit::parse(&unit)?)))
        .collect())
}

pub async fn set_interval_unit(
    db: &Db,
    account_id: &str,
    robot: RobotId,
    unit: IntervalUnit,
) -> Result<(), sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    sqlx::query("DELETE FROM robot_interval_units WHERE account_id = $1 AND robot_id = $2")
        .bind(account_id)
        .bind(robot.0)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO robot_interval_units (account_id, robot_id, unit, updated_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(account_id)
    .bind(robot.0)
    .bind(unit.as_str())
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

pub async fn forget(db: &Db, account_id: &str, robot: RobotId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM robot_interval_units WHERE account_id = $1 AND robot_id = $2")
        .bind(account_id)
        .bind(robot.0)
        .execute(db.pool())
        .await?;
    Ok(())
}
