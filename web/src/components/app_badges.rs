//! How an app shows up anywhere: its icon, and the names of its kind and edition.

use leptos::prelude::*;
use types::apps::{App, AppEdition, AppKind};

pub fn kind_label(kind: AppKind) -> &'static str {
    match kind {
        AppKind::Magento => "Magento",
        AppKind::Standalone => "Stand-alone",
    }
}

pub fn edition_label(edition: AppEdition) -> &'static str {
    match edition {
        AppEdition::Basic => "Basic",
        AppEdition::Standard => "Standard",
    }
}

/// The app's icon, or its initial on a coloured tile.
#[component]
pub fn AppIcon(app: App, #[prop(optional)] large: bool) -> impl IntoView {
    let class = if large {
        "app-icon app-icon-large"
    } else {
        "app-icon"
    };
    match app.icon_url {
        Some(url) => view! { <img class=class src=url alt=""/> }.into_any(),
        None => {
            let initial: String = app
                .name
                .chars()
                .next()
                .map(|c| c.to_uppercase().collect())
                .unwrap_or_default();
            view! { <span class=class aria-hidden="true">{initial}</span> }.into_any()
        }
    }
}
