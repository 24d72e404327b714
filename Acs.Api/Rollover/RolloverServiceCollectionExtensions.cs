using Acs.Core.Rollover;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Acs.Api.Rollover;

public static class RolloverServiceCollectionExtensions
{
    /// <summary>Metadata refresh: the operator's settings for Core, the SSRF-safe HTTP client, the scheduled refresh and the expiry warnings.</summary>
    public static IServiceCollection AddAcsRollover(this IServiceCollection services, MetadataRefreshSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(settings);
        services.Replace(ServiceDescriptor.Singleton(settings.ToRolloverOptions()));
        services.Replace(ServiceDescriptor.Singleton(new CertificateExpiryOptions(settings.ExpiringWithinDays)));
        services.AddSingleton<IMetadataSource, HttpMetadataSource>();
        services.AddHttpClient(HttpMetadataSource.ClientName, client =>
            {
                // The resilience pipeline and the fetch's own limit time requests; the client's default 100 s would only blur that.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("AcsService-metadata-refresh/1");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                UseProxy = false,
                UseCookies = false,
                ConnectTimeout = settings.Timeout,
                MaxResponseHeadersLength = 64,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectCallback = (context, cancellationToken) => SafeConnector.ConnectAsync(context.DnsEndPoint, settings.AllowLoopbackForTests, cancellationToken),
                SslOptions = { RemoteCertificateValidationCallback = SafeConnector.CertificateCheck(settings) },
            })
            .AddResilienceHandler("idp-metadata", builder =>
            {
                // Backoff and attempt timeouts are network time: wall-clock, not the service's (in tests, fake) clock.
                builder.TimeProvider = TimeProvider.System;
                builder
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = MetadataRefreshSettings.MaxRetries,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = settings.RetryDelay,
                        ShouldRetryAfterHeader = false,
                        // A refused address is a decision, not a transient failure.
                        ShouldHandle = args => ValueTask.FromResult(
                            (args.Outcome.Exception is null || SafeConnector.RefusalIn(args.Outcome.Exception) is null)
                            && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                    })
                    .AddTimeout(settings.Timeout / 2);
            });
        services.AddHostedService<MetadataRefreshService>();
        services.AddHostedService<CertificateExpiryWarningService>();
        return services;
    }
}
