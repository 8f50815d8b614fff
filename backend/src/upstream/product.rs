//! One Alibaba Cloud product's RPC API as OOS and Security Center both call
//! it: its API version, the host that serves a region, whether `RegionId`
//! is sent, and writes whose answer is only a RequestId.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::ids::RegionId;
use url::Url;

use super::Receipt;
use super::acs::{AcsClient, AcsCredentials, RpcRequest};
use super::error::{Service, UpstreamError};
use super::http::Endpoints;
use super::retry::Idempotency;

/// What tells one product's API from another's.
#[derive(Debug)]
pub struct Product {
    pub service: Service,
    pub version: &'static str,
    /// The endpoint of a region.
    pub host: fn(&Endpoints, &RegionId) -> Result<Url, UpstreamError>,
    /// OOS takes the region as a parameter too; Security Center only by host.
    pub sends_region: bool,
}

#[derive(Debug)]
pub struct ProductClient {
    acs: Arc<AcsClient>,
    endpoints: Arc<Endpoints>,
    product: Product,
}

impl ProductClient {
    pub fn new(acs: Arc<AcsClient>, endpoints: Arc<Endpoints>, product: Product) -> ProductClient {
        ProductClient {
            acs,
            endpoints,
            product,
        }
    }

    /// The action `action` of this product's API.
    pub fn request(&self, action: &'static str, idempotency: Idempotency) -> RpcRequest {
        let p = &self.product;
        RpcRequest::new(p.service, p.version, action, idempotency)
    }

    pub async fn call<T: DeserializeOwned>(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        request: RpcRequest,
    ) -> Result<T, UpstreamError> {
        let base = (self.product.host)(&self.endpoints, region_id)?;
        let request = if self.product.sends_region {
            request.param("RegionId", region_id.as_str())
        } else {
            request
        };
        self.acs.call(credentials, &base, &request).await
    }

    /// A write whose answer is only its RequestId.
    pub async fn write(
        &self,
        credentials: &AcsCredentials,
        region_id: &RegionId,
        request: RpcRequest,
    ) -> Result<Receipt<()>, UpstreamError> {
        let receipt: Receipt<Value> = self.call(credentials, region_id, request).await?;
        Ok(receipt.map(|_| ()))
    }
}
