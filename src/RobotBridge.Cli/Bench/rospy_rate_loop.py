"""Reference loop for `robotbridge bench loop`: a rospy.Rate loop at the given rate.

Usage: rospy_rate_loop.py RATE_HZ SECONDS OUT_FILE
Needs a ROS master (ROS_MASTER_URI); writes one wake time per line (seconds, time.perf_counter)
to OUT_FILE so the C# side analyses both loops with the same code.
"""
import sys
import time

import rospy


def main():
    rate_hz = float(sys.argv[1])
    seconds = float(sys.argv[2])
    out_path = sys.argv[3]
    rospy.init_node("robotbridge_rate_bench", anonymous=True, disable_signals=True)
    rate = rospy.Rate(rate_hz)
    count = int(rate_hz * seconds)
    wakes = [0.0] * count
    # The first second is warm-up and is not recorded, as on the C# side.
    for _ in range(int(rate_hz)):
        rate.sleep()
    for i in range(count):
        wakes[i] = time.perf_counter()
        rate.sleep()
    with open(out_path, "w") as out:
        out.write("\n".join(repr(w) for w in wakes))


if __name__ == "__main__":
    main()
