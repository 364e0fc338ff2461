//! What answers when no route matched: 405 with `Allow` when the path exists under another
//! method, else 404 — both as problem+json. The table of paths comes from the OpenAPI spec, which
//! lists exactly the registered routes.

use actix_router::ResourceDef;
use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::{AppError, AppResult};

pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<Method>)>,
}

impl RouteTable {
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> Self {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods: Vec<Method> = [
                    (item.get.is_some(), Method::GET),
                    (item.post.is_some(), Method::POST),
                    (item.put.is_some(), Method::PUT),
                    (item.patch.is_some(), Method::PATCH),
                    (item.delete.is_some(), Method::DELETE),
                ]
                .into_iter()
                .filter_map(|(present, m)| present.then_some(m))
                .collect();
                if item.get.is_some() {
                    methods.push(Method::HEAD);
                }
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods `path` supports, if it is a known path.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let mut found: Option<Vec<Method>> = None;
        for (def, methods) in &self.routes {
            if def.is_match(path) {
                found
                    .get_or_insert_with(Vec::new)
                    .extend(methods.iter().cloned());
            }
        }
        found
    }
}

pub async fn not_found_or_not_allowed(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> AppResult<HttpResponse> {
    Err(match table.allowed(req.path()) {
        Some(methods) if !methods.contains(req.method()) => AppError::method_not_allowed(methods),
        _ => AppError::not_found(),
    })
}
