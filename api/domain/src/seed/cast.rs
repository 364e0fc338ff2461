//! Who is in the demo: a dozen customers across every status, and the apps of the first three
//! customers (Emma has two) and of the first partner.

use types::accounts::AccountStatus;
use types::apps::{AppEdition, AppKind};

use crate::demo_traffic::DemoApp;

pub(super) struct DemoCustomer {
    pub first: &'static str,
    pub last: &'static str,
    pub company: &'static str,
    pub country: &'static str,
    pub status: AccountStatus,
}

pub(super) const DEMO_CUSTOMERS: [DemoCustomer; 12] = [
    DemoCustomer {
        first: "Emma",
        last: "de Vries",
        company: "Tulip Fashion",
        country: "NL",
        status: AccountStatus::Activated,
    },
    DemoCustomer {
        first: "Lucas",
        last: "Jansen",
        company: "Bike Parts Direct",
        country: "NL",
        status: AccountStatus::Activated,
    },
    DemoCustomer {
        first: "Sophie",
        last: "Martin",
        company: "Maison Sophie",
        country: "FR",
        status: AccountStatus::Activated,
    },
    DemoCustomer {
        first: "Noah",
        last: "Müller",
        company: "Outdoor Gear GmbH",
        country: "DE",
        status: AccountStatus::PendingActivation,
    },
    DemoCustomer {
        first: "Mia",
        last: "Rossi",
        company: "Pasta Fresca",
        country: "IT",
        status: AccountStatus::Locked,
    },
    DemoCustomer {
        first: "Liam",
        last: "Smith",
        company: "Smith Hardware",
        country: "GB",
        status: AccountStatus::Activated,
    },
    DemoCustomer {
        first: "Olivia",
        last: "García",
        company: "Moda García",
        country: "ES",
        status: AccountStatus::PendingActivation,
    },
    DemoCustomer {
        first: "James",
        last: "Brown",
        company: "Brown's Books",
        country: "US",
        status: AccountStatus::Activated,
    },
    DemoCustomer {
        first: "Ava",
        last: "Peeters",
        company: "Chocolaterie Ava",
        country: "BE",
        status: AccountStatus::Activated,
    },
    DemoCustomer {
        first: "Elias",
        last: "Nielsen",
        company: "Nordic Home",
        country: "DK",
        status: AccountStatus::Locked,
    },
    DemoCustomer {
        first: "Zoe",
        last: "Wilson",
        company: "Wilson Pets",
        country: "AU",
        status: AccountStatus::Activated,
    },
    DemoCustomer {
        first: "Hugo",
        last: "Lefebvre",
        company: "Vins Lefebvre",
        country: "FR",
        status: AccountStatus::PendingActivation,
    },
];

/// Apps of the first three customers (Emma has two) and of the first partner.
pub(super) const DEMO_APPS: [DemoApp; 5] = [
    DemoApp {
        name: "Tulip Fashion",
        kind: AppKind::Magento,
        edition: AppEdition::Standard,
        store_url: Some("https://shop.tulip-fashion.example"),
        devices: 260,
    },
    DemoApp {
        name: "Tulip Outlet",
        kind: AppKind::Standalone,
        edition: AppEdition::Basic,
        store_url: None,
        devices: 90,
    },
    DemoApp {
        name: "Bike Parts Direct",
        kind: AppKind::Standalone,
        edition: AppEdition::Standard,
        store_url: None,
        devices: 180,
    },
    DemoApp {
        name: "Maison Sophie",
        kind: AppKind::Magento,
        edition: AppEdition::Basic,
        store_url: Some("https://maison-sophie.example/store"),
        devices: 120,
    },
    DemoApp {
        name: "Appmakers Showcase",
        kind: AppKind::Standalone,
        edition: AppEdition::Basic,
        store_url: None,
        devices: 40,
    },
];
