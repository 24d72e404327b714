using Acs.Data.Migrations;

namespace Acs.Api.Hosting;

public static class DatabaseStartup
{
    /// <summary><c>dotnet Acs.Api.dll migrate</c>: apply migrations and exit, non-zero with the reason on failure.</summary>
    public static async Task<int> RunMigrateCommandAsync(this WebApplication app)
    {
        var outcome = await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        if (!outcome.Succeeded)
        {
            await Console.Error.WriteLineAsync($"migrate: failed: {outcome.Error}");
            return 1;
        }

        Console.WriteLine(outcome.AppliedScripts.Count == 0
            ? "migrate: database is up to date"
            : $"migrate: applied {string.Join(", ", outcome.AppliedScripts)}");
        return 0;
    }

    /// <summary>Migrates on start-up, waiting a bounded time for a database that is still starting.</summary>
    public static async Task<bool> MigrateOnStartupAsync(this WebApplication app, TimeSpan patience)
    {
        var migrator = app.Services.GetRequiredService<DatabaseMigrator>();
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var outcome = await migrator.MigrateAsync();
            if (outcome.Succeeded)
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline || outcome.Failure!.Kind != MigrationFailureKind.Unreachable)
            {
                app.Logger.LogCritical("Database migration failed: {Reason}", outcome.Error);
                return false;
            }

            app.Logger.LogWarning("Waiting for the database: {Reason}", outcome.Error);
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }
}
