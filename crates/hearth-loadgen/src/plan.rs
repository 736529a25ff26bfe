//! The run's plan, built before any socket opens: documents, who opens which, and every change
//! each writer will send, already made and hashed.
//!
//! Every document starts as a small base document (one change by its own actor) that all its
//! clients load. Each writer's changes are made offline on a fork of the base with the writer's
//! own actor, so writer `w`'s change `k` depends only on its change `k - 1` (or on the base).
//! Nobody ever builds on anyone else's change, so at any moment each writer's latest change is
//! a *head* of every document that has it: a peer's heads say exactly how far it has got with
//! each writer, which is how acknowledgements and deliveries are detected without parsing the
//! sync messages' changes.

use std::collections::HashMap;

use anyhow::{Context, Result, ensure};
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, Automerge, Change, ChangeHash, ROOT};
use hearth_core::DocumentId;

/// One document of the run.
pub struct DocPlan {
    /// Its automerge-repo document id.
    pub id: DocumentId,
    /// The saved base document every client of it starts from.
    pub base: Vec<u8>,
    /// The base document's only head.
    pub base_head: ChangeHash,
    /// Client indices that open it.
    pub members: Vec<usize>,
}

/// One writer: a client that sends changes.
pub struct WriterPlan {
    /// The document it writes to.
    pub doc: usize,
    /// Its changes, in the order they are sent (each depends on the previous one).
    pub changes: Vec<Change>,
    /// How many other clients must receive each change (the document's other members).
    pub receivers: usize,
}

/// What one client does.
#[derive(Clone, Copy, Debug)]
pub struct Role {
    /// The document it opens.
    pub doc: usize,
    /// Its writer index, if it writes.
    pub writer: Option<usize>,
}

/// The whole run, pre-built.
pub struct Plan {
    /// A random tag that keeps peer ids unique across runs against the same server.
    pub run_id: String,
    /// The documents.
    pub docs: Vec<DocPlan>,
    /// The writers, by writer index.
    pub writers: Vec<WriterPlan>,
    /// Each client's role, by client index.
    pub clients: Vec<Role>,
    /// Change hash → (writer index, position in that writer's changes).
    pub index: HashMap<ChangeHash, (usize, usize)>,
}

/// The shape of a run.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Simulated clients.
    pub clients: usize,
    /// Documents; client `i` opens document `i % docs`.
    pub docs: usize,
    /// Clients that write: clients `0..writers` (so writers spread over the documents).
    pub writers: usize,
    /// Changes pre-built for each writer.
    pub changes_per_writer: usize,
    /// Bytes of text in each change (besides a short id).
    pub payload_bytes: usize,
}

impl Plan {
    /// Builds every document and every change of the run.
    pub fn build(shape: Shape) -> Result<Plan> {
        ensure!(shape.docs >= 1, "at least one document");
        ensure!(
            shape.clients >= 2 * shape.docs,
            "each document needs at least two clients (a writer and someone to receive): {} clients for {} documents",
            shape.clients,
            shape.docs
        );
        ensure!(
            (1..=shape.clients).contains(&shape.writers),
            "writers must be between 1 and the number of clients"
        );
        ensure!(
            shape.changes_per_writer >= 1,
            "at least one change per writer"
        );
        let run_id = hex_tag(DocumentId::random().as_bytes());

        let mut docs = Vec::with_capacity(shape.docs);
        for d in 0..shape.docs {
            let mut base = AutoCommit::new().with_actor(ActorId::random());
            base.put(ROOT, "bench", "hearth-loadgen")?;
            base.put(ROOT, "doc", d as i64)?;
            let base_head = *base
                .get_heads()
                .first()
                .context("base document has a head")?;
            docs.push(DocPlan {
                id: DocumentId::random(),
                base: base.save(),
                base_head,
                members: Vec::new(),
            });
        }

        let mut clients = Vec::with_capacity(shape.clients);
        for i in 0..shape.clients {
            let doc = i % shape.docs;
            docs[doc].members.push(i);
            clients.push(Role {
                doc,
                writer: (i < shape.writers).then_some(i),
            });
        }

        let padding = "x".repeat(shape.payload_bytes);
        let mut writers = Vec::with_capacity(shape.writers);
        let mut index = HashMap::with_capacity(shape.writers * shape.changes_per_writer);
        for (w, role) in clients.iter().enumerate().take(shape.writers) {
            let doc = role.doc;
            let plan = &docs[doc];
            let mut fork = Automerge::load(&plan.base)?.with_actor(ActorId::random());
            let key = format!("w{w}");
            for k in 0..shape.changes_per_writer {
                let mut tx = fork.transaction();
                tx.put(ROOT, key.as_str(), format!("{w}:{k}:{padding}"))?;
                tx.commit();
            }
            let mut changes = fork.get_changes(&[plan.base_head]);
            changes.sort_by_key(Change::seq);
            ensure!(
                changes.len() == shape.changes_per_writer,
                "writer {w}: expected {} changes, got {}",
                shape.changes_per_writer,
                changes.len()
            );
            for (k, c) in changes.iter().enumerate() {
                index.insert(c.hash(), (w, k));
            }
            writers.push(WriterPlan {
                doc,
                changes,
                receivers: plan.members.len() - 1,
            });
        }

        Ok(Plan {
            run_id,
            docs,
            writers,
            clients,
            index,
        })
    }

    /// Total pre-built changes.
    pub fn total_changes(&self) -> usize {
        self.writers.iter().map(|w| w.changes.len()).sum()
    }
}

fn hex_tag(bytes: &[u8]) -> String {
    bytes[..6].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::ReadDoc;

    #[test]
    fn writers_chain_their_own_changes_only() {
        let plan = Plan::build(Shape {
            clients: 6,
            docs: 2,
            writers: 4,
            changes_per_writer: 5,
            payload_bytes: 8,
        })
        .unwrap();
        assert_eq!(plan.docs[0].members, vec![0, 2, 4]);
        assert_eq!(plan.writers[1].doc, 1);
        assert_eq!(plan.writers[1].receivers, 2);
        assert!(plan.clients[5].writer.is_none());
        assert_eq!(plan.total_changes(), 20);
        for (w, writer) in plan.writers.iter().enumerate() {
            let base = plan.docs[writer.doc].base_head;
            for (k, c) in writer.changes.iter().enumerate() {
                let expected = if k == 0 {
                    vec![base]
                } else {
                    vec![writer.changes[k - 1].hash()]
                };
                assert_eq!(c.deps(), expected.as_slice());
                assert_eq!(plan.index[&c.hash()], (w, k));
            }
        }
        // Two writers' changes merge, and each writer's last change is a head.
        let mut doc = Automerge::load(&plan.docs[0].base).unwrap();
        doc.apply_changes(plan.writers[0].changes.clone()).unwrap();
        doc.apply_changes(plan.writers[2].changes[..3].to_vec())
            .unwrap();
        let mut heads = doc.get_heads();
        heads.sort();
        let mut expected = vec![
            plan.writers[0].changes[4].hash(),
            plan.writers[2].changes[2].hash(),
        ];
        expected.sort();
        assert_eq!(heads, expected);
        assert!(doc.get(ROOT, "w2").unwrap().is_some());
    }
}
