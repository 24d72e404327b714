using Acs.Data;
using Acs.Data.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Acs.Tests.Data;

public sealed class DataSourceRegistrationTests
{
    [Test]
    public void AddAcsData_WithoutPoolSizeInConnectionString_CapsThePoolAtTheSetting()
    {
        using var services = new ServiceCollection().AddLogging().AddAcsData("Host=db;Username=acs;Password=secret", maxPoolSize: 7).BuildServiceProvider();

        var pool = new NpgsqlConnectionStringBuilder(services.GetRequiredService<NpgsqlDataSource>().ConnectionString).MaxPoolSize;

        Assert.That(pool, Is.EqualTo(7));
    }

    [TestCase("Maximum Pool Size=3")]
    [TestCase("MaxPoolSize=3")]
    public void AddAcsData_WithPoolSizeInConnectionString_KeepsTheConnectionStringsValue(string poolSetting)
    {
        using var services = new ServiceCollection().AddLogging().AddAcsData($"Host=db;Username=acs;Password=secret;{poolSetting}", maxPoolSize: 7)
            .BuildServiceProvider();

        var pool = new NpgsqlConnectionStringBuilder(services.GetRequiredService<NpgsqlDataSource>().ConnectionString).MaxPoolSize;

        Assert.That(pool, Is.EqualTo(3));
    }

    [Test]
    public void AddAcsData_MigratorGetsADataSourceOfItsOwn_SoItNeverWaitsForTheServicesPool()
    {
        using var services = new ServiceCollection().AddLogging().AddAcsData("Host=db;Username=acs;Password=secret;Maximum Pool Size=1", maxPoolSize: 7)
            .BuildServiceProvider();

        var service = services.GetRequiredService<NpgsqlDataSource>();
        var migrations = services.GetRequiredKeyedService<NpgsqlDataSource>(DatabaseMigrator.DataSourceKey);

        Assert.That(migrations, Is.Not.SameAs(service));
        Assert.That(new NpgsqlConnectionStringBuilder(migrations.ConnectionString).MaxPoolSize, Is.EqualTo(2));
    }
}
