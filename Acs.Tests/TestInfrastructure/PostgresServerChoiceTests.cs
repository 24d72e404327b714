namespace Acs.Tests.TestInfrastructure;

public sealed class PostgresServerChoiceTests
{
    [Test]
    public void Choose_WithConfiguredServer_PrefersItOverDockerAndBinaries()
    {
        var choice = PostgresServerChoice.Choose("Host=db", dockerAnswers: true, localBinDirectory: "/usr/bin");

        Assert.That(choice.Source, Is.EqualTo(PostgresServerSource.ConfiguredServer));
    }

    [Test]
    public void Choose_WithDockerAndBinaries_PrefersDocker()
    {
        var choice = PostgresServerChoice.Choose(null, dockerAnswers: true, localBinDirectory: "/usr/bin");

        Assert.That(choice.Source, Is.EqualTo(PostgresServerSource.Testcontainers));
    }

    [Test]
    public void Choose_WithoutDocker_FallsBackToLocalBinaries()
    {
        var choice = PostgresServerChoice.Choose("  ", dockerAnswers: false, localBinDirectory: "/usr/lib/postgresql/15/bin");

        Assert.That(choice.Source, Is.EqualTo(PostgresServerSource.LocalCluster));
    }

    [Test]
    public void Choose_WithNothing_SaysWhatToInstallOrSet()
    {
        var choice = PostgresServerChoice.Choose(null, dockerAnswers: false, localBinDirectory: null);

        Assert.That(choice.Source, Is.EqualTo(PostgresServerSource.None));
        Assert.That(choice.Explanation, Does.Contain("ACS_TEST_DATABASE").And.Contain("apt-get install postgresql"));
    }

    [Test]
    public void AfterContainerFailure_WithBinaries_FallsBackToTheLocalClusterAndSaysWhy()
    {
        var choice = PostgresServerChoice.AfterContainerFailure("DockerApiException: client version 1.44 is too new", "/usr/lib/postgresql/15/bin");

        Assert.That(choice.Source, Is.EqualTo(PostgresServerSource.LocalCluster));
        Assert.That(choice.Explanation, Does.Contain("client version 1.44 is too new").And.Contain("/usr/lib/postgresql/15/bin"));
    }

    [Test]
    public void AfterContainerFailure_WithoutBinaries_GivesUpWithTheReasonAndWhatToInstall()
    {
        var choice = PostgresServerChoice.AfterContainerFailure("TimeoutException: not ready within 120 s", null);

        Assert.That(choice.Source, Is.EqualTo(PostgresServerSource.None));
        Assert.That(choice.Explanation, Does.Contain("not ready within 120 s").And.Contain("apt-get install postgresql"));
    }

    [Test]
    public void FindLocalBinDirectory_WithoutPathEntry_TakesNewestDebianVersion()
    {
        var root = Path.Combine(Path.GetTempPath(), "acs-pgbin-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var version in new[] { "13", "15" })
            {
                var bin = Directory.CreateDirectory(Path.Combine(root, version, "bin")).FullName;
                File.WriteAllText(Path.Combine(bin, "initdb"), string.Empty);
                File.WriteAllText(Path.Combine(bin, "pg_ctl"), string.Empty);
            }

            var found = PostgresServerChoice.FindLocalBinDirectory("/nonexistent", [Path.Combine(root, "13"), Path.Combine(root, "15")]);

            Assert.That(found, Is.EqualTo(Path.Combine(root, "15", "bin")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public async Task TheRunsDatabase_AnswersQueries()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("choice");
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM schemaversions", connection);

        var applied = (long)(await command.ExecuteScalarAsync())!;

        Assert.That(applied, Is.EqualTo(Acs.Data.Migrations.DatabaseMigrator.ScriptNames.Count));
    }
}
