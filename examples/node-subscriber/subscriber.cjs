// A subscriber of one Amity app in Node.js, built from /asyncapi.yaml: it
// reads the app's commits from the AMITY stream after a kept sequence,
// prints one JSON line a commit, says when it has caught up, then follows
// the app live. Its login is a nats_users subscriber of the app: replies
// under _INBOX.<login>, and a consumer filtered to amity.<app>.>, which it
// creates itself (it may not read stream info).
//
//   npm install nats@2.29.3
//   node subscriber.cjs --url nats://127.0.0.1:4222 --user dev-subscriber --password P --app dev --after 0
"use strict";

const { connect, AckPolicy, DeliverPolicy, nanos } = require("nats");
const crypto = require("node:crypto");

function args() {
  const out = { url: "nats://127.0.0.1:4222", user: "", password: "", app: "dev", after: "0" };
  const argv = process.argv.slice(2);
  for (let i = 0; i + 1 < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "");
    if (!(key in out)) throw new Error(`unknown flag ${argv[i]}`);
    out[key] = argv[i + 1];
  }
  return out;
}

async function main() {
  const a = args();
  const nc = await connect({ servers: a.url.split(","), user: a.user, pass: a.password, inboxPrefix: `_INBOX.${a.user}` });
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  // An ephemeral consumer of the app's commits, from the one after the
  // kept sequence; the server forgets it once the subscriber is gone.
  const name = `node-${crypto.randomBytes(8).toString("hex")}`;
  const after = Number(a.after);
  await jsm.consumers.add("AMITY", {
    name,
    filter_subject: `amity.${a.app}.>`,
    deliver_policy: after > 0 ? DeliverPolicy.StartSequence : DeliverPolicy.All,
    ...(after > 0 ? { opt_start_seq: after + 1 } : {}),
    ack_policy: AckPolicy.None,
    inactive_threshold: nanos(60 * 1000),
    mem_storage: true,
  });
  const consumer = await js.consumers.get("AMITY", name);
  const info = await consumer.info(true);
  let caughtUp = info.num_pending === 0;
  if (caughtUp) console.log(JSON.stringify({ caught_up: after }));
  const messages = await consumer.consume();
  for await (const m of messages) {
    // A commit: {"id", "app", "events": [{"id", "type", "time", "data", ...}]}
    const commit = JSON.parse(new TextDecoder().decode(m.data));
    console.log(JSON.stringify({ seq: m.seq, id: commit.id, types: commit.events.map((e) => e.type) }));
    if (!caughtUp && m.info.pending === 0) {
      caughtUp = true;
      console.log(JSON.stringify({ caught_up: m.seq }));
    }
  }
}

main().catch((err) => {
  console.error(`subscriber: ${err.message}`);
  process.exit(1);
});
