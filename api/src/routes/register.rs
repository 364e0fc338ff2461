//! Where handlers are registered: the spec's builder or a server worker, through one trait.

use actix_web::dev::HttpServiceFactory;
use actix_web::web;
use utoipa_actix_web::OpenApiFactory;

/// Where a resource's `configure` registers its handlers: the OpenAPI builder
/// (`utoipa_actix_web`'s `ServiceConfig`, which also collects each handler's description) or a
/// server worker (actix's own `ServiceConfig`, which does not: every worker would otherwise build
/// and drop the whole spec, some megabytes of memory each, at start-up).
pub trait Register {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static;
}

impl Register for utoipa_actix_web::service_config::ServiceConfig<'_> {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        utoipa_actix_web::service_config::ServiceConfig::service(self, factory)
    }
}

impl Register for web::ServiceConfig {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        web::ServiceConfig::service(self, factory)
    }
}
