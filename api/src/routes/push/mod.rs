//! Push messages of an app (`/apps/{id}/push-messages…`), the same message to several apps
//! (`/push-messages`), and each app's push settings (`/apps/{id}/push-settings`).

mod message;
mod messages;
mod sending;
mod settings;

use crate::routes::Register;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(messages::create_push_message)
        .service(messages::create_push_messages)
        .service(messages::list_push_messages)
        .service(messages::preview_push_audience)
        .service(messages::get_push_message)
        .service(messages::update_push_message)
        .service(messages::delete_push_message)
        .service(sending::send_push_message)
        .service(sending::cancel_push_message)
        .service(sending::test_push_message)
        .service(settings::get_push_settings)
        .service(settings::update_push_settings);
}
