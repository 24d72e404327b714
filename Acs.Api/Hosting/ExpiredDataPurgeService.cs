using Acs.Core.Login;

namespace Acs.Api.Hosting;

/// <summary>Purges expired consumed assertions and sessions in the background.</summary>
public sealed class ExpiredDataPurgeService(IExpiredDataPurger purger, TimeProvider time, ILogger<ExpiredDataPurgeService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var removed = await purger.PurgeAsync(time.GetUtcNow(), stoppingToken);
                if (removed > 0)
                {
                    logger.LogInformation("Purged {Count} expired consumed assertions and sessions", removed);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be away; the next round tries again.
                logger.LogWarning("Purging expired rows failed: {Reason}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
