//! Sign-up, activation, sign-in and sessions (`/auth/...`): one file per action, and the browser
//! cookie that carries a refresh token.

mod checks;
mod cookie;
mod impersonation;
mod password_reset;
mod register;
mod second_factor;
mod session;

use crate::routes::Register;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(impersonation::exchange_impersonation)
        .service(register::register)
        .service(register::activate)
        .service(session::login)
        .service(second_factor::sign_in_second_step)
        .service(session::refresh)
        .service(session::logout)
        .service(password_reset::request_password_reset)
        .service(password_reset::confirm_password_reset);
}
