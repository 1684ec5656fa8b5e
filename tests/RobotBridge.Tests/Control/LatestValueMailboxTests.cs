using RobotBridge.Control;

namespace RobotBridge.Tests.Control;

public class LatestValueMailboxTests
{
    private sealed record Item(int Value);

    [Fact]
    public void Take_returns_only_the_newest_value_and_overwritten_ones_are_dropped()
    {
        var dropped = new List<Item>();
        var mailbox = new LatestValueMailbox<Item>(dropped.Add);

        mailbox.Post(new Item(1));
        mailbox.Post(new Item(2));
        mailbox.Post(new Item(3));

        Assert.True(mailbox.TryTake(out var item));
        Assert.Equal(3, item.Value);
        Assert.False(mailbox.TryTake(out _));
        Assert.Equal([1, 2], dropped.Select(d => d.Value));
        Assert.Equal(3, mailbox.Posted);
        Assert.Equal(2, mailbox.Dropped);
    }

    [Fact]
    public async Task Concurrent_producer_never_loses_the_last_value_and_every_value_is_taken_or_dropped_once()
    {
        long droppedSum = 0, takenSum = 0;
        var mailbox = new LatestValueMailbox<Item>(d => Interlocked.Add(ref droppedSum, d.Value));
        const int n = 100_000;
        var producer = Task.Run(() =>
        {
            for (int i = 1; i <= n; i++)
            {
                mailbox.Post(new Item(i));
            }
        });
        int last = 0;
        while (!producer.IsCompleted || last != n)
        {
            if (mailbox.TryTake(out var item))
            {
                Assert.True(item.Value > last, "values arrive in order");
                last = item.Value;
                takenSum += item.Value;
            }
        }
        await producer;
        Assert.Equal((long)n * (n + 1) / 2, takenSum + droppedSum);
    }
}
