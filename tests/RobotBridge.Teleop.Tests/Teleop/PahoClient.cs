using System.Diagnostics;
using RobotBridge.Teleop.Protocol;

namespace RobotBridge.Teleop.Tests.Teleop;

/// <summary>A third-party MQTT 5 peer: Debian's python3-paho-mqtt, run with /usr/bin/python3.</summary>
internal static class PahoClient
{
    private const string Script = """
import json, sys, threading
import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.packettypes import PacketTypes

port, user, password, trip_topic, state_topic = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
published = threading.Event()

# 1. Trip: QoS 1, with MQTT 5 properties like any teleop message.
tripper = mqtt.Client(client_id="paho-tripper", protocol=mqtt.MQTTv5)
tripper.username_pw_set(user, password)
tripper.on_publish = lambda c, u, mid: published.set()
tripper.connect("127.0.0.1", port)
tripper.loop_start()
props = Properties(PacketTypes.PUBLISH)
props.ContentType = "application/json"
tripper.publish(trip_topic, json.dumps({"by": "paho", "reason": "tripped by paho"}), qos=1, properties=props)
if not published.wait(5):
    sys.exit("trip was not acknowledged")
tripper.loop_stop()
tripper.disconnect()

# 2. A fresh client subscribes late and must get the retained state showing the trip.
result = {}
done = threading.Event()
def on_message(client, userdata, msg):
    state = json.loads(msg.payload)
    if msg.retain and state.get("stopped"):
        result.update(state)
        done.set()
def on_connect(client, userdata, flags, rc, properties=None):
    client.subscribe(state_topic, qos=1)
import time
deadline = time.time() + 8
attempt = 0
seen = []
while not done.is_set() and time.time() < deadline:
    # The robot republishes the retained state after handling the trip; a fresh subscriber per
    # attempt, until the retained copy shows it.
    attempt += 1
    reader = mqtt.Client(client_id="paho-reader-%d" % attempt, protocol=mqtt.MQTTv5)
    reader.username_pw_set(user, password)
    reader.on_connect = on_connect
    reader.on_message = lambda c, u, m: (seen.append((m.retain, m.payload)), on_message(c, u, m))
    reader.connect("127.0.0.1", port)
    reader.loop_start()
    done.wait(1.0)
    reader.disconnect()
    reader.loop_stop()
if not done.is_set():
    sys.exit("no retained e-stop state showing the trip after %d attempts; seen %r" % (attempt, seen[-3:]))
print(json.dumps(result))
""";

    public static async Task<(int ExitCode, string Stdout, string Stderr)> TripAndReadStateAsync(int port, string user, string password, TeleopTopics topics)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-", port.ToString(), user, password, topics.EStopTrip, topics.EStopState })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        await process.StandardInput.WriteAsync(Script);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout).Trim(), await stderr);
    }
}
