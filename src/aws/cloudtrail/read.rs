//! CloudTrail reads: the account's trails (those the home region shows, its
//! own and the shadows of multi-region and organization trails, and through
//! ListTrails the single-region trails of other regions), with each trail's
//! logging status and event selectors, and the regions the trails decide.
//!
//! A trail whose status or selectors cannot be read (an organization trail
//! seen from a member account answers TrailNotFoundException or
//! AccessDenied) keeps the error on that trail only: the part still arrives
//! and only findings about that trail are `error`.

use crate::aws::client::{AwsBackend, CallError};
use crate::aws::inventory::{
    AdvancedEventSelector, DataResource, EventSelector, EventSelectors, Fetched, FieldSelector,
    Trail,
};
use crate::aws::inventory::{Regional, SessionRegions};
use aws_sdk_cloudtrail::types as ct;
use std::future::Future;

pub(crate) const DESCRIBE_TRAILS: &str = "cloudtrail:DescribeTrails";

pub(crate) const LIST_TRAILS: &str = "cloudtrail:ListTrails";

pub(crate) const GET_EVENT_SELECTORS: &str = "cloudtrail:GetEventSelectors";

pub(crate) const PUT_EVENT_SELECTORS: &str = "cloudtrail:PutEventSelectors";

pub(crate) fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty()).map(str::to_string)
}

pub(crate) fn trail_from(t: &ct::Trail, home: &str) -> Trail {
    let name = t.name().unwrap_or_default().to_string();
    Trail {
        arn: non_empty(t.trail_arn()).unwrap_or_else(|| name.clone()),
        name,
        home_region: non_empty(t.home_region()).unwrap_or_else(|| home.to_string()),
        s3_bucket: non_empty(t.s3_bucket_name()),
        s3_key_prefix: non_empty(t.s3_key_prefix()),
        is_multi_region: t.is_multi_region_trail().unwrap_or(false),
        log_file_validation: t.log_file_validation_enabled().unwrap_or(false),
        kms_key_id: non_empty(t.kms_key_id()),
        cloudwatch_logs_log_group_arn: non_empty(t.cloud_watch_logs_log_group_arn()),
        is_logging: false,
        sns_topic_arn: non_empty(t.sns_topic_arn()),
        status_error: None,
        event_selectors: None,
    }
}

pub(crate) fn basic_from(s: &ct::EventSelector) -> EventSelector {
    EventSelector {
        // AWS's default for an absent ReadWriteType / IncludeManagementEvents.
        read_write_type: s
            .read_write_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_else(|| "All".into()),
        include_management_events: s.include_management_events().unwrap_or(true),
        data_resources: s
            .data_resources()
            .iter()
            .map(|d| DataResource {
                kind: d.r#type().unwrap_or_default().to_string(),
                values: d.values().to_vec(),
            })
            .collect(),
        exclude_management_event_sources: s.exclude_management_event_sources().to_vec(),
    }
}

pub(crate) fn basic_to(s: &EventSelector) -> ct::EventSelector {
    ct::EventSelector::builder()
        .read_write_type(ct::ReadWriteType::from(s.read_write_type.as_str()))
        .include_management_events(s.include_management_events)
        .set_data_resources(Some(
            s.data_resources
                .iter()
                .map(|d| {
                    ct::DataResource::builder()
                        .r#type(&d.kind)
                        .set_values(Some(d.values.clone()))
                        .build()
                })
                .collect(),
        ))
        .set_exclude_management_event_sources(Some(s.exclude_management_event_sources.clone()))
        .build()
}

pub(crate) fn advanced_from(s: &ct::AdvancedEventSelector) -> AdvancedEventSelector {
    AdvancedEventSelector {
        name: non_empty(s.name()),
        field_selectors: s
            .field_selectors()
            .iter()
            .map(|f| FieldSelector {
                field: f.field().to_string(),
                equals: f.equals().to_vec(),
                starts_with: f.starts_with().to_vec(),
                ends_with: f.ends_with().to_vec(),
                not_equals: f.not_equals().to_vec(),
                not_starts_with: f.not_starts_with().to_vec(),
                not_ends_with: f.not_ends_with().to_vec(),
            })
            .collect(),
    }
}

pub(crate) fn advanced_to(
    s: &AdvancedEventSelector,
) -> Result<ct::AdvancedEventSelector, aws_sdk_cloudtrail::error::BuildError> {
    let some = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
    let fields = s
        .field_selectors
        .iter()
        .map(|f| {
            ct::AdvancedFieldSelector::builder()
                .field(&f.field)
                .set_equals(some(&f.equals))
                .set_starts_with(some(&f.starts_with))
                .set_ends_with(some(&f.ends_with))
                .set_not_equals(some(&f.not_equals))
                .set_not_starts_with(some(&f.not_starts_with))
                .set_not_ends_with(some(&f.not_ends_with))
                .build()
        })
        .collect::<Result<Vec<_>, _>>()?;
    ct::AdvancedEventSelector::builder()
        .set_name(s.name.clone())
        .set_field_selectors(Some(fields))
        .build()
}

impl AwsBackend {
    /// Every trail of the account, in every region (see [`Self::read_trails`]):
    /// the parts that ask while it is being read share that read (S3 for the
    /// trail buckets, CloudTrail, and each part read in the trails' regions).
    pub(crate) async fn describe_trails(&self) -> Result<Vec<ct::Trail>, CallError> {
        self.trails.get(&self.changes, || self.read_trails()).await
    }

    /// Every trail of the account, in every region: DescribeTrails from the
    /// home region (its own trails and the shadows of multi-region and
    /// organization trails), then ListTrails, which names the account's
    /// trails with their home regions; a single-region trail of another
    /// region is not among the home region's, so DescribeTrails runs once
    /// more (shadows included) in each region that has such trails, usually
    /// none. Without this a single-region trail elsewhere, unvalidated or
    /// unencrypted, would be unseen by every trail item.
    ///
    /// ListTrails, or a region's DescribeTrails, failing (a policy without
    /// cloudtrail:ListTrails, a region turned off) leaves out only what it
    /// would have added, logged as a warning: the home region's trails are
    /// still read, as before ListTrails was asked.
    async fn read_trails(&self) -> Result<Vec<ct::Trail>, CallError> {
        let home = self.home_cloudtrail();
        let (described, listed) = futures::join!(
            self.send(
                DESCRIBE_TRAILS,
                home.describe_trails().include_shadow_trails(true).send()
            ),
            self.send(
                LIST_TRAILS,
                home.list_trails()
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
            ),
        );
        let mut trails: Vec<ct::Trail> = described?.trail_list().to_vec();
        let listed = listed.unwrap_or_else(|e| {
            tracing::warn!("ListTrails failed; trails of other regions are not seen: {e}");
            Vec::new()
        });
        let seen =
            |trails: &[ct::Trail], arn: &str| trails.iter().any(|t| t.trail_arn() == Some(arn));
        let mut elsewhere: Vec<String> = listed
            .iter()
            .filter(|t| t.trail_arn().is_some_and(|arn| !seen(&trails, arn)))
            .filter_map(|t| non_empty(t.home_region()))
            .collect();
        elsewhere.sort();
        elsewhere.dedup();
        let more = self
            .join_bounded(elsewhere.iter().map(|region| {
                let client = self.cloudtrail(region);
                async move {
                    let out = self
                        .send(
                            DESCRIBE_TRAILS,
                            client.describe_trails().include_shadow_trails(true).send(),
                        )
                        .await;
                    (region, out)
                }
            }))
            .await;
        for (region, out) in more {
            match out {
                Ok(out) => {
                    for t in out.trail_list() {
                        if t.trail_arn().is_none_or(|arn| !seen(&trails, arn)) {
                            trails.push(t.clone());
                        }
                    }
                }
                Err(e) => tracing::warn!(
                    region,
                    "DescribeTrails failed; its trails are not seen: {e}"
                ),
            }
        }
        Ok(trails)
    }

    pub(crate) async fn collect_trails(&self) -> Result<Vec<Trail>, CallError> {
        let out = self.describe_trails().await?;
        let mut trails: Vec<Trail> = Vec::new();
        for t in &out {
            let trail = trail_from(t, self.region());
            if !trails.iter().any(|x| x.arn == trail.arn) {
                trails.push(trail);
            }
        }
        // Each trail's status and selectors, from its home region, concurrently.
        let reads = self
            .join_bounded(trails.iter().map(|t| async move {
                futures::join!(
                    self.trail_is_logging(&t.arn, &t.home_region),
                    self.event_selectors(&t.arn, &t.home_region)
                )
            }))
            .await;
        for (t, (logging, selectors)) in trails.iter_mut().zip(reads) {
            match logging {
                Ok(l) => t.is_logging = l,
                Err(e) => t.status_error = Some(e),
            }
            t.event_selectors = Some(Fetched::from(selectors));
        }
        trails.sort_by(|a, b| (&a.name, &a.arn).cmp(&(&b.name, &b.arn)));
        Ok(trails)
    }

    /// GetEventSelectors in the trail's home region, by ARN.
    pub(crate) async fn event_selectors(
        &self,
        arn: &str,
        home: &str,
    ) -> Result<EventSelectors, CallError> {
        let out = self
            .send(
                GET_EVENT_SELECTORS,
                self.cloudtrail(home)
                    .get_event_selectors()
                    .trail_name(arn)
                    .send(),
            )
            .await?;
        Ok(EventSelectors {
            basic: out.event_selectors().iter().map(basic_from).collect(),
            advanced: out
                .advanced_event_selectors()
                .iter()
                .map(advanced_from)
                .collect(),
        })
    }

    /// PutEventSelectors: the advanced selectors when there are any, else
    /// the basic ones (AWS keeps one kind; sending one replaces the other).
    pub(crate) async fn put_event_selectors(
        &self,
        name: &str,
        region: &str,
        selectors: &EventSelectors,
    ) -> Result<(), CallError> {
        let bad = |e: aws_sdk_cloudtrail::error::BuildError| {
            CallError::new(PUT_EVENT_SELECTORS, None, e.to_string())
        };
        let mut r = self
            .cloudtrail(region)
            .put_event_selectors()
            .trail_name(name);
        if selectors.advanced.is_empty() {
            let basic: Vec<ct::EventSelector> = selectors.basic.iter().map(basic_to).collect();
            r = r.set_event_selectors(Some(basic));
        } else {
            let advanced = selectors
                .advanced
                .iter()
                .map(advanced_to)
                .collect::<Result<Vec<_>, _>>()
                .map_err(bad)?;
            r = r.set_advanced_event_selectors(Some(advanced));
        }
        self.send_write(PUT_EVENT_SELECTORS, r.send()).await?;
        Ok(())
    }

    /// The regions the trails decide: the session's (`--region`, else the
    /// home region), every trail's home region and log group region, and
    /// `extra`. Trails decide where CloudTrail, its keys, topics, log groups
    /// and alarms live, so the enabled regions are not all listed: a scan of
    /// every region for alarms and topics would cost dozens of requests for
    /// nothing any item reads.
    pub(crate) async fn trail_regions(&self, extra: &[&str]) -> Result<Vec<String>, CallError> {
        let mut regions: Vec<String> = if self.scan_regions().is_empty() {
            vec![self.region().to_string()]
        } else {
            self.scan_regions().to_vec()
        };
        let out = self.describe_trails().await?;
        for t in &out {
            regions.extend(t.home_region().map(str::to_string));
            regions.extend(
                t.cloud_watch_logs_log_group_arn()
                    .and_then(|a| a.split(':').nth(3))
                    .map(str::to_string),
            );
        }
        regions.extend(extra.iter().map(|r| r.to_string()));
        regions.retain(|r| !r.trim().is_empty());
        regions.sort();
        regions.dedup();
        Ok(regions)
    }

    /// Read `f` in every region of [`Self::trail_regions`] concurrently,
    /// keeping each region's error.
    pub(crate) async fn in_trail_regions<'a, T, F, Fut>(
        &'a self,
        extra: &[&str],
        f: F,
    ) -> Result<Regional<T>, CallError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<Vec<T>, CallError>> + 'a,
    {
        let regions = self.trail_regions(extra).await?;
        Ok(crate::aws::client::in_regions(regions, f)
            .await
            .into_iter()
            .collect())
    }

    pub(crate) async fn collect_session_regions(&self) -> Result<SessionRegions, CallError> {
        Ok(SessionRegions {
            home: self.region().to_string(),
            regions: self.trail_regions(&[]).await?,
        })
    }

    /// Whether a trail is logging (GetTrailStatus in its home region, by ARN).
    pub(crate) async fn trail_is_logging(&self, arn: &str, home: &str) -> Result<bool, CallError> {
        let out = self
            .send(
                "cloudtrail:GetTrailStatus",
                self.cloudtrail(home).get_trail_status().name(arn).send(),
            )
            .await?;
        Ok(out.is_logging().unwrap_or(false))
    }
}
