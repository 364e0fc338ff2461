//! What answers when no route matched: 405 with `Allow` when the path exists under another
//! method, else 404 — both as problem+json. The table of paths comes from the OpenAPI spec, which
//! lists exactly the registered routes.

use actix_router::ResourceDef;
use actix_web::http::Method;
use std::path::PathBuf;

use actix_files::NamedFile;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::{ApiError, ApiResult, AppError};

/// A documented path: its methods, and for each method the query parameters it takes.
struct Route {
    def: ResourceDef,
    /// How many `{parameters}` the template has.
    params: usize,
    methods: Vec<(Method, Vec<String>)>,
}

pub struct RouteTable {
    routes: Vec<Route>,
}

impl RouteTable {
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> Self {
        use utoipa::openapi::path::{Operation, ParameterIn};
        let query_names = |op: &Operation| -> Vec<String> {
            op.parameters
                .iter()
                .flatten()
                .filter(|p| matches!(p.parameter_in, ParameterIn::Query))
                .map(|p| p.name.clone())
                .collect()
        };
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods: Vec<(Method, Vec<String>)> = [
                    (&item.get, Method::GET),
                    (&item.post, Method::POST),
                    (&item.put, Method::PUT),
                    (&item.patch, Method::PATCH),
                    (&item.delete, Method::DELETE),
                ]
                .into_iter()
                .filter_map(|(op, m)| op.as_ref().map(|op| (m, query_names(op))))
                .collect();
                if let Some(get) = &item.get {
                    methods.push((Method::HEAD, query_names(get)));
                }
                Route {
                    def: ResourceDef::new(path.as_str()),
                    params: path.matches('{').count(),
                    methods,
                }
            })
            .collect();
        Self { routes }
    }

    /// The documented path that `path` names: where several templates match (`/mobile-users/export`
    /// and `/mobile-users/{user_id}`), the one with the fewest parameters, as the spec means it.
    fn route(&self, path: &str) -> Option<&Route> {
        self.routes
            .iter()
            .filter(|r| r.def.is_match(path))
            .min_by_key(|r| r.params)
    }

    /// The methods `path` supports, if it is a known path.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        self.route(path)
            .map(|r| r.methods.iter().map(|(m, _)| m.clone()).collect())
    }

    /// The first query parameter that the documented operation does not take, if any: a typo
    /// such as `?stauts=locked` is a 400, not a silently unfiltered list.
    pub fn unknown_query_parameter(
        &self,
        method: &Method,
        path: &str,
        query: &str,
    ) -> Option<String> {
        let mut routes: Vec<&Route> = self
            .routes
            .iter()
            .filter(|r| r.def.is_match(path))
            .collect();
        routes.sort_by_key(|r| r.params);
        let params = routes
            .into_iter()
            .flat_map(|r| r.methods.iter())
            .find(|(m, _)| m == method)
            .map(|(_, params)| params)?;
        url::form_urlencoded::parse(query.as_bytes())
            .map(|(name, _)| name.into_owned())
            .find(|name| !params.contains(name))
    }
}

/// Where the built SPA lives (`WEB_DIST`).
pub struct WebDist(pub PathBuf);

/// The paths the server itself answers: everything else that is read is one of the SPA's pages.
const SERVER_PATHS: [&str; 5] = ["/api", "/health", "/docs", "/metrics", "/assets"];

/// A read of a client-side route: any GET or HEAD outside the server's own paths, whatever it
/// accepts — a browser, but also curl, an uptime monitor or a load balancer checking `/`.
fn is_page_request(req: &HttpRequest) -> bool {
    let path = req.path();
    let server_path = SERVER_PATHS.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    (req.method() == Method::GET || req.method() == Method::HEAD) && !server_path
}

pub async fn not_found_or_not_allowed(
    req: HttpRequest,
    table: web::Data<RouteTable>,
    dist: web::Data<WebDist>,
) -> ApiResult<HttpResponse> {
    if is_page_request(&req) {
        // The SPA's routes live in the browser: every page address gets index.html, never cached
        // (it names the current hashed assets).
        if let Ok(index) = NamedFile::open_async(dist.0.join("index.html")).await {
            let mut response = index.use_etag(true).into_response(&req);
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-cache"),
            );
            return Ok(response);
        }
    }
    Err(match table.allowed(req.path()) {
        Some(methods) if !methods.contains(req.method()) => {
            ApiError(AppError::method_not_allowed(methods))
        }
        _ => ApiError(AppError::not_found()),
    })
}
