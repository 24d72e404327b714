using Acs.Core.Tenants;
using FluentValidation;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Acs.Api.Admin;

public static class AdminServiceCollectionExtensions
{
    public const string OpenApiDocumentName = "v1";

    /// <summary>Registers the administration API: its views, the Core validators and the OpenAPI document.</summary>
    public static IServiceCollection AddAcsAdmin(this IServiceCollection services)
    {
        services.AddSingleton<AdminViews>();
        services.AddValidatorsFromAssemblyContaining<CreateTenantRequestValidator>(ServiceLifetime.Singleton);
        services.AddOpenApi(OpenApiDocumentName, options =>
        {
            // The document is the admin API's contract; the browser-facing SAML and health routes are not part of it.
            options.ShouldInclude = description => description.RelativePath?.StartsWith("admin/", StringComparison.Ordinal) == true
                || description.RelativePath == "admin";
            options.AddDocumentTransformer((document, _, _) =>
            {
                DescribeDocument(document);
                return Task.CompletedTask;
            });
        });
        return services;
    }

    private static void DescribeDocument(OpenApiDocument document)
    {
        document.Info.Title = "AcsService administration API";
        document.Info.Description = "Tenants, SSO configuration, certificate rollover, team members and the login event log. "
            + "Every /admin route needs 'Authorization: Bearer <Acs__AdminApiKey>'.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["AdminApiKey"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The operator key from Acs__AdminApiKey.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("AdminApiKey", document)] = [] });
    }

    /// <summary>The OpenAPI document at <c>/openapi/v1.json</c>; in Development also the Scalar reference page at <c>/scalar</c>.</summary>
    public static WebApplication MapAdminApiDocs(this WebApplication app)
    {
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            // The page works offline: its bundle is served by this service, with system fonts, and no upsell or AI buttons.
            app.MapScalarApiReference(options =>
            {
                options.DefaultFonts = false;
                options.HideClientButton = true;
                options.ShowDeveloperTools = DeveloperToolsVisibility.Never;
                options.Telemetry = false;
                options.Agent = new ScalarAgentOptions { Disabled = true };
                options.Mcp = new ScalarMcpOptions { Disabled = true };
            });
        }

        return app;
    }
}
