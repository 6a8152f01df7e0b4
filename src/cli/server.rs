//! `profe-migrate server status|stop`: the warm shadow server (`src/cluster/warm`), and
//! the hidden `server keep` its keeper runs as.

use crate::cluster::warm;
use crate::error::Result;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum ServerAction {
    /// Whether the warm server runs: pid, major version, data directory, socket, keeper
    /// and idle time left (exit 0 either way).
    Status,
    /// Stop the warm server and its keeper (exit 0 when none runs).
    Stop,
    /// Keep the warm server of FOLDER until it has been idle long enough, then stop it
    /// (started detached by the run that starts the server).
    #[command(hide = true)]
    Keep {
        /// The warm server's folder (`server-MAJOR` in the cache directory).
        folder: PathBuf,
    },
}

pub async fn run(action: &ServerAction) -> Result<i32> {
    match action {
        ServerAction::Status => super::out::print(&warm::control::status().await?)?,
        ServerAction::Stop => {
            let text = tokio::task::spawn_blocking(warm::control::stop)
                .await
                .map_err(|e| crate::error::Error::Cluster(e.to_string()))??;
            super::out::print(&text)?;
        }
        ServerAction::Keep { folder } => warm::keeper::keep(folder).await?,
    }
    Ok(0)
}
