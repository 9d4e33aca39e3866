//! Account Management's SDK calls: the requests each op sends.

use super::ops::{DeleteAlternateContact, PutAlternateContact};
use crate::collect::Outcome;
use crate::collect::aws::{AwsBackend, CallError, SendOp};
use crate::inventory::ContactType;
use crate::plan::OpKind;
use aws_sdk_account::types::AlternateContactType;

/// The Account API's name for a contact type.
pub(crate) fn contact_type(t: ContactType) -> AlternateContactType {
    match t {
        ContactType::Billing => AlternateContactType::Billing,
        ContactType::Operations => AlternateContactType::Operations,
        ContactType::Security => AlternateContactType::Security,
    }
}

impl SendOp for PutAlternateContact {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let contact = &self.contact;
        let request = aws
            .account()
            .put_alternate_contact()
            .alternate_contact_type(contact_type(self.contact_type))
            .name(&contact.name)
            .title(&contact.title)
            .email_address(&contact.email)
            .phone_number(&contact.phone);
        aws.send_write(Self::ACTION, request.send()).await?;
        Ok(Outcome::default())
    }
}

impl SendOp for DeleteAlternateContact {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .account()
            .delete_alternate_contact()
            .alternate_contact_type(contact_type(self.contact_type));
        aws.send_write(Self::ACTION, request.send()).await?;
        Ok(Outcome::default())
    }
}
