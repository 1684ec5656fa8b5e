// MSBuild task (compiled by RoslynCodeTaskFactory from TorchSharpNativeFix.targets, as netstandard2.0).
//
// Why: TorchSharp's prebuilt libLibTorchSharp.so is linked against GCC 13's libstdc++ and records
// a need for version GLIBCXX_3.4.32, although the only symbol bound to that version
// (_ZSt21ios_base_library_initv) is never called. Older systems (Debian 12 ships 3.4.30) refuse to
// load the library, and TorchSharp reports that as a missing libtorch package. Marking exactly
// those missing version needs weak (VER_FLG_WEAK in the ELF .gnu.version_r section) makes the
// dynamic loader accept the library; nothing else in the file changes.
//
// The task writes a patched copy next to the build's intermediate files and never touches the
// NuGet cache. Libraries whose needs the system already meets pass through unchanged.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenMissingSymbolVersions : Task
{
    const uint ShtGnuVerdef = 0x6ffffffd;
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    /// <summary>Shared libraries to check (ELF64 little-endian).</summary>
    [Required] public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Version names that may be weakened; any other missing version is a build error.</summary>
    [Required] public string[] AllowedWeakVersions { get; set; } = Array.Empty<string>();

    /// <summary>Where patched copies are written.</summary>
    [Required] public string OutputDirectory { get; set; } = "";

    /// <summary>Patched copies, carrying the metadata of the library they replace.</summary>
    [Output] public ITaskItem[] Patched { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        var patched = new List<ITaskItem>();
        foreach (ITaskItem library in Libraries)
        {
            string source = library.GetMetadata("FullPath");
            byte[] image = File.ReadAllBytes(source);
            List<(string File, string Version, long FlagsOffset)> needs = ReadVersionNeeds(image);
            var missing = needs.Where(n => !SystemProvides(n.File, n.Version)).ToList();
            if (missing.Count == 0)
            {
                Log.LogMessage(MessageImportance.Low, $"{source}: the system provides every symbol version it needs; left unchanged.");
                continue;
            }
            var refused = missing.Where(m => !AllowedWeakVersions.Contains(m.Version)).ToList();
            if (refused.Count > 0)
            {
                Log.LogError($"{source} needs {string.Join(", ", refused.Select(r => $"{r.Version} from {r.File}"))}, " +
                    "which this system's libraries do not provide, and these are not known to be safe to weaken. " +
                    "Install a newer libstdc++/glibc or extend AllowedWeakVersions after checking no used symbol carries them.");
                return false;
            }
            foreach (var need in missing)
            {
                ushort flags = BitConverter.ToUInt16(image, (int)need.FlagsOffset);
                BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(image, (int)need.FlagsOffset);
            }
            string target = Path.Combine(OutputDirectory, Path.GetFileName(source));
            Directory.CreateDirectory(OutputDirectory);
            if (!File.Exists(target) || !File.ReadAllBytes(target).SequenceEqual(image))
            {
                File.WriteAllBytes(target, image);
            }
            Log.LogMessage(MessageImportance.Normal,
                $"{source}: marked {string.Join(", ", missing.Select(m => m.Version))} weak (missing on this system) in {target}.");
            var item = new TaskItem(target);
            library.CopyMetadataTo(item);
            patched.Add(item);
        }
        Patched = patched.ToArray();
        return !Log.HasLoggedErrors;
    }

    /// <summary>Every (needed file, version name, file offset of vna_flags) in .gnu.version_r.</summary>
    static List<(string, string, long)> ReadVersionNeeds(byte[] image)
    {
        var result = new List<(string, string, long)>();
        foreach (var (offset, count, strtab) in Sections(image, ShtGnuVerneed))
        {
            long entry = offset;
            for (int i = 0; i < count; i++)
            {
                ushort auxCount = U16(image, entry + 2);
                string file = CString(image, strtab + U32(image, entry + 4));
                long aux = entry + U32(image, entry + 8);
                for (int j = 0; j < auxCount; j++)
                {
                    result.Add((file, CString(image, strtab + U32(image, aux + 8)), aux + 4));
                    aux += U32(image, aux + 12);
                }
                entry += U32(image, entry + 12);
            }
        }
        return result;
    }

    /// <summary>Version names a library defines in .gnu.version_d.</summary>
    static HashSet<string> ReadVersionDefinitions(byte[] image)
    {
        var result = new HashSet<string>();
        foreach (var (offset, count, strtab) in Sections(image, ShtGnuVerdef))
        {
            long entry = offset;
            for (int i = 0; i < count; i++)
            {
                long aux = entry + U32(image, entry + 12);
                result.Add(CString(image, strtab + U32(image, aux)));
                entry += U32(image, entry + 16);
            }
        }
        return result;
    }

    /// <summary>Sections of a type: file offset, entry count (sh_info), offset of the linked string table.</summary>
    static IEnumerable<(long Offset, uint Count, long StringTable)> Sections(byte[] image, uint type)
    {
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[4] != 2 || image[5] != 1)
        {
            throw new InvalidDataException("not a 64-bit little-endian ELF file");
        }
        long table = (long)BitConverter.ToUInt64(image, 0x28);
        int size = U16(image, 0x3a), count = U16(image, 0x3c);
        for (int i = 0; i < count; i++)
        {
            long header = table + (long)i * size;
            if (U32(image, header + 4) != type) continue;
            uint link = U32(image, header + 40);
            long strtab = (long)BitConverter.ToUInt64(image, (int)(table + link * size + 24));
            yield return ((long)BitConverter.ToUInt64(image, (int)(header + 24)), U32(image, header + 44), strtab);
        }
    }

    readonly Dictionary<string, HashSet<string>?> _definitions = new();

    /// <summary>True when the system's copy of the file defines the version, or when the file cannot
    /// be found (then nothing is known and nothing is changed).</summary>
    bool SystemProvides(string file, string version)
    {
        if (!_definitions.TryGetValue(file, out HashSet<string>? defined))
        {
            string? path = FindSystemLibrary(file);
            defined = path is null ? null : ReadVersionDefinitions(File.ReadAllBytes(path));
            _definitions[file] = defined;
        }
        return defined is null || defined.Contains(version);
    }

    static string? FindSystemLibrary(string file)
    {
        string triplet = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        IEnumerable<string> dirs = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "")
            .Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries)
            .Concat(new[] { $"/lib/{triplet}", $"/usr/lib/{triplet}", "/lib64", "/usr/lib64", "/lib", "/usr/lib" });
        return dirs.Select(d => Path.Combine(d, file)).FirstOrDefault(File.Exists);
    }

    static ushort U16(byte[] b, long at) => BitConverter.ToUInt16(b, (int)at);
    static uint U32(byte[] b, long at) => BitConverter.ToUInt32(b, (int)at);

    static string CString(byte[] b, long at)
    {
        int end = Array.IndexOf(b, (byte)0, (int)at);
        return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
    }
}
