//! The route registry: every route of the app is mounted through `Routes`, which records its
//! method, path pattern and rule (public, or a staff permission) and puts the staff guard
//! (`console::session::guard` → `access::require`) in front of each staff route. The same
//! mount functions, run with `Routes::recording()`, list every route, so a test enumerates
//! the app's routes from the app itself and a route mounted without a rule cannot exist.
//! Never mount a route on a `ServiceConfig` directly: it would escape the registry and the
//! route × role test.

use crate::access::Permission;
use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{FromRequest, Handler, Resource, Responder, guard, web};

/// Who may reach a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Visitors, load balancers, the login page: no session needed.
    Public,
    /// A signed-in staff member whose role allows the permission.
    Staff(Permission),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub rule: Rule,
}

pub struct Routes<'a> {
    cfg: Option<&'a mut web::ServiceConfig>,
    table: Vec<RouteInfo>,
}

impl<'a> Routes<'a> {
    /// Mounts routes on the app while recording them.
    pub fn mounting(cfg: &'a mut web::ServiceConfig) -> Self {
        Self {
            cfg: Some(cfg),
            table: Vec::new(),
        }
    }

    /// Records routes without mounting anything: the route table.
    pub fn recording() -> Routes<'static> {
        Routes {
            cfg: None,
            table: Vec::new(),
        }
    }

    pub fn into_table(self) -> Vec<RouteInfo> {
        self.table
    }

    pub fn get<F, Args>(&mut self, path: &'static str, rule: Rule, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add_with(Method::GET, path, rule, handler, |r| r)
    }

    pub fn post<F, Args>(&mut self, path: &'static str, rule: Rule, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add_with(Method::POST, path, rule, handler, |r| r)
    }

    /// A route whose resource needs more (e.g. its own payload limit).
    pub fn add_with<F, Args>(
        &mut self,
        method: Method,
        path: &'static str,
        rule: Rule,
        handler: F,
        tweak: impl FnOnce(Resource) -> Resource,
    ) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.table.push(RouteInfo {
            method: method.clone(),
            path,
            rule,
        });
        let Some(cfg) = self.cfg.as_deref_mut() else {
            return self;
        };
        // The method guard sits on the resource (as actix's route macros put it), so a
        // request with another method goes on to the next resource of the same path.
        let resource = tweak(web::resource(path))
            .guard(guard::Method(method))
            .route(web::route().to(handler));
        match rule {
            Rule::Public => {
                cfg.service(resource);
            }
            Rule::Staff(permission) => {
                cfg.service(resource.wrap(from_fn(move |req, next| {
                    crate::console::session::guard(permission, req, next)
                })));
            }
        }
        self
    }
}
