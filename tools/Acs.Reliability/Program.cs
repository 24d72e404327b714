using Acs.Reliability;

// Usage: dotnet Acs.Reliability.dll <fuzz|db-outage|shutdown> --url http://127.0.0.1:PORT --db "<npgsql connection string>" [options]
// See scripts/reliability/README.md (and the scripts) for the options of each mode.
if (args.Length == 0 || args[0] is not ("fuzz" or "db-outage" or "shutdown"))
{
    Console.Error.WriteLine("usage: Acs.Reliability <fuzz|db-outage|shutdown> --url URL --db CONNECTION [--option value]...");
    return 2;
}

var options = Options.Parse(args[1..]);
return args[0] switch
{
    "fuzz" => await FuzzMode.RunAsync(options),
    "db-outage" => await DbOutageMode.RunAsync(options),
    _ => await ShutdownMode.RunAsync(options),
};
