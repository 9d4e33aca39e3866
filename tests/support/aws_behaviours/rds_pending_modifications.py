"""RDS ModifyDBInstance: ApplyImmediately and the pending-modifications queue.

What AWS does (Amazon RDS API Reference, ModifyDBInstance, ApplyImmediately;
Amazon RDS User Guide, "Using the schedule modifications setting"
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ModifyInstance.ApplyImmediately.html
and "Settings for DB instances"):

- Without ApplyImmediately (the default is false), a modification that can
  wait is put into the instance's pending-modifications queue and applied
  during the next maintenance window; DescribeDBInstances lists it under
  PendingModifiedValues and keeps reporting the live value until then.
- With ApplyImmediately=true, "your new changes and any changes in the
  pending modifications queue are applied" at once.
- Some settings ignore ApplyImmediately and change at once. PubliclyAccessible
  is one: "Changes to the PubliclyAccessible parameter are applied
  immediately regardless of the value of the ApplyImmediately parameter"
  (ModifyDBInstance, PubliclyAccessible); PendingModifiedValues has no
  member for it.

What moto 5.2.1 does instead: it applies every modification at once, whatever
ApplyImmediately says, and never reports PendingModifiedValues.

This patch queues the settings the RDS User Guide defers to the maintenance
window (instance class, engine version, allocated storage, storage type,
IOPS, storage throughput, Multi-AZ, license model, CA certificate) when
ApplyImmediately is false, applies the queue together with the request when it
is true, and reports the queue as PendingModifiedValues. Every other setting
(PubliclyAccessible among them) keeps moto's immediate behaviour, as on AWS.
"""

# ModifyDBInstance parameter (as moto's backend receives it) -> the
# PendingModifiedValues member that reports it.
DEFERRED = {
    "db_instance_class": "DBInstanceClass",
    "engine_version": "EngineVersion",
    "allocated_storage": "AllocatedStorage",
    "storage_type": "StorageType",
    "iops": "Iops",
    "storage_throughput": "StorageThroughput",
    "multi_az": "MultiAZ",
    "license_model": "LicenseModel",
    "ca_certificate_identifier": "CACertificateIdentifier",
}


def patch():
    from moto.rds.models import DBInstance, RDSBackend

    original = RDSBackend.modify_db_instance

    def modify_db_instance(self, db_instance_identifier, db_kwargs):
        database = self.describe_db_instances(db_instance_identifier)[0]
        queued = dict(getattr(database, "_pending_modifications", {}))
        if db_kwargs.get("apply_immediately"):
            # The request's own values win over what was queued.
            for key, value in queued.items():
                if db_kwargs.get(key) is None:
                    db_kwargs[key] = value
            queued = {}
        else:
            for key in DEFERRED:
                value = db_kwargs.get(key)
                if value is not None:
                    queued[key] = value
                    del db_kwargs[key]
        result = original(self, db_instance_identifier, db_kwargs)
        database._pending_modifications = queued
        return result

    RDSBackend.modify_db_instance = modify_db_instance

    def pending_modified_values(self):
        queued = getattr(self, "_pending_modifications", {})
        return {DEFERRED[k]: v for k, v in queued.items()}

    DBInstance.pending_modified_values = property(pending_modified_values)
