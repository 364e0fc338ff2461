//! Building blocks shared by the pages: toasts, dialogs, forms, states. A page builds its lists
//! and forms from these, so every page behaves the same way (focus, errors, stale edits).

mod app_badges;
mod form;
mod modal;
mod row_menu;
mod states;
mod table_labels;
mod toasts;
mod url_state;

pub use app_badges::{edition_label, kind_label, AppIcon};
pub use form::{EditSession, FilterSelect, FormAlerts, FormState, TextField};
pub use modal::{Confirm, Modal};
pub use row_menu::RowMenu;
pub use states::{
    date, date_time, Empty, ErrorBox, ListAlert, Loading, NotForYou, Pager, StatusBadge,
};
pub use table_labels::label_table_cells;
pub use toasts::{provide_toasts, use_toasts, ToastHost, Tone};
pub use url_state::{
    day_query, range_backwards, url_page, url_state, Latest, SearchField, TextFilter,
    RANGE_BACKWARDS,
};
