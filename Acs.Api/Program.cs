using Acs.Api.Admin;
using Acs.Api.DevelopmentIdp;
using Acs.Api.Health;
using Acs.Api.Hosting;
using Acs.Api.Login;
using Acs.Api.Manage;
using Acs.Api.Saml;
using Acs.Api.Sessions;
using Acs.Api.Telemetry;
using Acs.Core;
using Acs.Data;

if (args is [HealthProbe.Command, ..])
{
    return await HealthProbe.RunAsync();
}

var builder = WebApplication.CreateBuilder(args);

var (settings, errors) = AcsSettings.Load(builder.Configuration);
if (settings is null)
{
    foreach (var error in errors)
    {
        await Console.Error.WriteLineAsync($"AcsService cannot start: {error}");
    }

    return 2;
}

builder.Services.AddAcsCore();
builder.Services.AddAcsData(settings.ConnectionString, settings.DatabaseMaxPoolSize);
builder.Services.AddAcsApi(settings, builder.Configuration);
builder.WebHost.UseAcsMetricsPort(builder.Configuration, settings);
builder.Services.AddDevelopmentIdp(builder.Configuration, builder.Environment, settings);

var app = builder.Build();

if (args.Contains("migrate", StringComparer.Ordinal))
{
    return await app.RunMigrateCommandAsync();
}

if (!await app.MigrateOnStartupAsync(patience: TimeSpan.FromSeconds(60)))
{
    return 1;
}

if (!await app.SeedDemoTenantAsync())
{
    return 1;
}

app.UseAcsPipeline();
app.MapHealthEndpoints();
app.MapLoginEndpoints();
app.MapSamlMetadataEndpoints();
app.MapSessionEndpoints();
app.MapManageEndpoints();
app.MapDevelopmentIdpEndpoints();
app.MapAdminEndpoints();
app.MapAdminApiDocs();

await app.RunAsync();
return 0;

/// <summary>The entry point, visible to the HTTP tests.</summary>
public partial class Program;
