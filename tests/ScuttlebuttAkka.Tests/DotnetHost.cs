namespace ScuttlebuttAkka.Tests;

/// <summary>The dotnet executable that runs the tests, for tests that start a built project as a child process.</summary>
internal static class DotnetHost
{
    /// <summary>
    /// The dotnet CLI's own host (it sets DOTNET_HOST_PATH for the test host it runs), else this process when it is
    /// dotnet, else "dotnet" from PATH: the child then runs on the same runtime as the tests.
    /// </summary>
    public static string Path
    {
        get
        {
            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
                return host;
            var current = Environment.ProcessPath;
            return current is not null && System.IO.Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        }
    }
}
