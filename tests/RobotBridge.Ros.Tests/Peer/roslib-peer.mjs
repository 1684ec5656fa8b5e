// A real third-party rosbridge client (roslibjs 2.1.0 from npm) driven by the RobotBridge.Ros tests
// and benchmarks. Usage: node roslib-peer.mjs <mode> '<json options>'; prints one JSON line.
//   drive: subscribe /joint_states, send a FollowJointTrajectory goal through ActionClient,
//          report the joint states seen and the result.
//   count: subscribe options.topic with options.compression for options.seconds; report messages/s.
//   auth:  Ros.authenticate(mac, client, dest, rand, t, level, end) first, with t = now and the MAC
//          computed here from options.secret as rosauth's trusted source would (options.mac overrides
//          it), then count options.topic for options.seconds; report the count and whether the server
//          closed the connection.
import { Ros, Topic, ActionClient, Goal } from "roslib";
import { createHash } from "node:crypto";

const [mode, raw] = process.argv.slice(2);
const options = JSON.parse(raw ?? "{}");
const finish = (result, code = 0) => {
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(code);
};
setTimeout(() => finish({ error: "peer timed out" }, 2), (options.timeoutSeconds ?? 30) * 1000);

const ros = new Ros({ url: options.url });
let closed = false;
ros.on("close", () => { closed = true; });
ros.on("error", (e) => { if (mode !== "auth") finish({ error: `roslib error: ${e?.message ?? e}` }, 3); });
await new Promise((resolve) => ros.on("connection", resolve));

if (mode === "drive") {
  const joint = options.joint;
  let first = null, last = null, messages = 0;
  const states = new Topic({ ros, name: "/joint_states", messageType: "sensor_msgs/JointState" });
  states.subscribe((m) => {
    const i = m.name.indexOf(joint);
    if (i < 0) return;
    messages++;
    if (first === null) first = m.position[i];
    last = m.position[i];
  });
  const client = new ActionClient({
    ros,
    serverName: options.server,
    actionName: "control_msgs/FollowJointTrajectoryAction",
  });
  // Wait for the first joint state so "before" is known.
  while (first === null) await new Promise((r) => setTimeout(r, 20));
  const goal = new Goal({
    actionClient: client,
    goalMessage: {
      trajectory: {
        joint_names: options.joints,
        points: [{ positions: options.positions, time_from_start: { secs: options.secs, nsecs: 0 } }],
      },
    },
  });
  const statuses = [];
  goal.on("status", (s) => statuses.push(s.status));
  goal.on("result", (result) => {
    setTimeout(() => finish({ messages, first, last, result, finalStatus: goal.status?.status, statuses: [...new Set(statuses)] }), 200);
  });
  goal.send();
} else if (mode === "count") {
  const topic = new Topic({
    ros, name: options.topic, messageType: options.type, compression: options.compression ?? "none",
  });
  // Counting starts options.warmupSeconds (default 0) after the first message, so a JIT's warm-up
  // is left out on both sides of the benchmark; it then runs for options.seconds.
  const warmup = (options.warmupSeconds ?? 0) * 1000;
  let count = 0, counted = 0, started = 0, bytes = 0, sample = null, cpu = null;
  topic.subscribe((m) => {
    if (count === 0) {
      if (m.position) sample = { name: m.name, position: Array.from(m.position) };
      setTimeout(() => {
        counted = count;
        started = performance.now();
        cpu = process.cpuUsage();
        setTimeout(() => {
          const seconds = (performance.now() - started) / 1000;
          const n = count - counted;
          // The process's CPU time (all threads, user + system) per counted message: its cost,
          // whatever share of the cores the scheduler gave it.
          const used = process.cpuUsage(cpu);
          finish({ count: n, seconds, perSecond: n / seconds, cpuMicrosPerMessage: (used.user + used.system) / n, bytes, sample });
        }, options.seconds * 1000);
      }, warmup);
    }
    count++;
    // roslibjs hands JSON uint8[] over as base64 text; decode it to pixel bytes, which is what our
    // client delivers (and what a user of the image needs), so both receivers count usable messages.
    const data = typeof m.data === "string" ? Buffer.from(m.data, "base64") : m.data;
    if (data && data.length) bytes += data.length;
  });
} else if (mode === "auth") {
  // Float seconds, as browser code computes them from Date.now(); the MAC covers the whole seconds.
  const t = Date.now() / 1000, end = t + 300;
  const mac = options.mac ?? createHash("sha512")
    .update(`${options.secret}${options.client}${options.dest}${options.rand}${Math.floor(t)}${options.level}${Math.floor(end)}`)
    .digest("hex");
  ros.authenticate(mac, options.client, options.dest, options.rand, t, options.level, end);
  const topic = new Topic({ ros, name: options.topic, messageType: options.type });
  let count = 0;
  topic.subscribe(() => { count++; });
  setTimeout(() => finish({ count, closed }), options.seconds * 1000);
} else {
  finish({ error: `unknown mode ${mode}` }, 4);
}
