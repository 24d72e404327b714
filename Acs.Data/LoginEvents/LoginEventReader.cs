using Acs.Core.Diagnosis;
using Acs.Core.LoginEvents;
using Dapper;
using Npgsql;

namespace Acs.Data.LoginEvents;

/// <summary>Reads the login event log (written by the ACS) for support.</summary>
public sealed class LoginEventReader(NpgsqlDataSource dataSource) : ILoginEventReader
{
    public async Task<IReadOnlyList<LoginEventEntry>> ListAsync(Guid tenantId, string? outcome, int limit, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT id, occurred_at, outcome, error_code, message, expected, received, name_id, member_id, assertion_id,
                   client_address, user_agent, diagnosis_cause, diagnosis_fix, diagnosis_advice
            FROM login_events
            WHERE tenant_id = @tenantId AND (CAST(@outcome AS text) IS NULL OR outcome = @outcome)
            ORDER BY occurred_at DESC, id DESC
            LIMIT @limit
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<LoginEventRow>(new CommandDefinition(sql, new { tenantId, outcome, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToEntry()).ToList();
    }

    internal class LoginEventRow
    {
        public Guid Id { get; init; }
        public DateTime OccurredAt { get; init; }
        public string Outcome { get; init; } = "";
        public string? ErrorCode { get; init; }
        public string? Message { get; init; }
        public string? Expected { get; init; }
        public string? Received { get; init; }
        public string? NameId { get; init; }
        public Guid? MemberId { get; init; }
        public string? AssertionId { get; init; }
        public string? ClientAddress { get; init; }
        public string? UserAgent { get; init; }
        public string? DiagnosisCause { get; init; }
        public string? DiagnosisFix { get; init; }
        public string? DiagnosisAdvice { get; init; }

        public LoginEventEntry ToEntry() => new(Id, new DateTimeOffset(DateTime.SpecifyKind(OccurredAt, DateTimeKind.Utc)), Outcome, ErrorCode, Message,
            Expected, Received, NameId, MemberId, AssertionId, ClientAddress, UserAgent)
        {
            Diagnosis = DiagnosisCause is null ? null : new SignInDiagnosis(DiagnosisCause, DiagnosisFix ?? string.Empty, DiagnosisAdvice ?? string.Empty),
        };
    }
}
