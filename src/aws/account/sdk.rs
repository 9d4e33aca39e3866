//! Account Management's SDK calls: the alternate contacts read, and the
//! requests each op sends.

use super::ops::{DeleteAlternateContact, PutAlternateContact};
use crate::aws::client::{AwsBackend, CallError, Outcome, SendOp};
use crate::aws::inventory::{AlternateContacts, Contact, ContactType};
use crate::aws::op::OpKind;
use aws_sdk_account::types::AlternateContactType;

/// The Account API's name for a contact type.
pub(crate) fn contact_type(t: ContactType) -> AlternateContactType {
    match t {
        ContactType::Billing => AlternateContactType::Billing,
        ContactType::Operations => AlternateContactType::Operations,
        ContactType::Security => AlternateContactType::Security,
    }
}

impl AwsBackend {
    pub(crate) async fn alternate_contacts(&self) -> Result<AlternateContacts, CallError> {
        let lookups = ContactType::ALL.into_iter().map(|t| async move {
            let r = self
                .send(
                    "account:GetAlternateContact",
                    self.account()
                        .get_alternate_contact()
                        .alternate_contact_type(contact_type(t))
                        .send(),
                )
                .await;
            match r {
                Ok(out) => Ok((
                    t,
                    out.alternate_contact().map(|c| Contact {
                        name: c.name().unwrap_or_default().to_string(),
                        title: c.title().unwrap_or_default().to_string(),
                        email: c.email_address().unwrap_or_default().to_string(),
                        phone: c.phone_number().unwrap_or_default().to_string(),
                    }),
                )),
                Err(e) if e.is_code("ResourceNotFoundException") => Ok((t, None)),
                Err(e) => Err(e),
            }
        });
        let mut contacts = AlternateContacts::default();
        for (t, c) in futures::future::try_join_all(lookups).await? {
            if let Some(c) = c {
                contacts.contacts.insert(t, c);
            }
        }
        Ok(contacts)
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
        aws.write(Self::ACTION, request.send()).await
    }
}

impl SendOp for DeleteAlternateContact {
    async fn send(&self, aws: &AwsBackend) -> Result<Outcome, CallError> {
        let request = aws
            .account()
            .delete_alternate_contact()
            .alternate_contact_type(contact_type(self.contact_type));
        aws.write(Self::ACTION, request.send()).await
    }
}
