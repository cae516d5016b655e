; Inno Setup 6 script: a per-user install of Re-Think Desktop. No administrator rights, no
; network, no service, nothing outside the user's own profile.
;
; Build the app first, then compile this script, both from the repository root:
;   py packaging\build.py
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" packaging\windows\rethink.iss
; -> dist\rethink-desktop-<version>-setup.exe
;
; The version is read from the built rethink-desktop.exe (its version resource, which
; build.py writes from pyproject.toml); /DAppVersion=X.Y.Z overrides it.
;
; Silent install, run as the user who will use the app (it installs for that user only):
;   rethink-desktop-<version>-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /SP-
;       [/TASKS="desktopicon"] [/DIR="<folder>"] [/LOG="%TEMP%\rethink-desktop-setup.log"]
; Silent uninstall:
;   "%LOCALAPPDATA%\Programs\Re-Think Desktop\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
;
; Uninstalling removes the program only. The records, backups, settings and logs in
; %LOCALAPPDATA%\rethink-desktop are kept on purpose: they are the organisation's records.

#define AppName "Re-Think Desktop"
#define AppExeName "rethink-desktop.exe"
#define BuildDir AddBackslash(SourcePath) + "..\..\dist\rethink-desktop"

#ifndef AppVersion
  #define AppVersion GetStringFileInfo(BuildDir + "\" + AppExeName, "ProductVersion")
#endif
#if AppVersion == ""
  #error No version found: build the app first (py packaging\build.py) or pass /DAppVersion=X.Y.Z
#endif

[Setup]
; Never change AppId: it is how Windows knows that a newer setup updates this app.
AppId={{58AC7E82-B61F-4BC6-8F6B-4694AD6C1377}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Re-Think Desktop maintainers
AppCopyright=Copyright (C) Re-Think Desktop maintainers. MIT licence.
; Per user, without elevation: the install goes to the user's own programs folder.
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Qt 6 needs 64-bit Windows 10 1809 or later.
MinVersion=10.0.17763
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=rethink-desktop-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\rethink.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A running copy holds its records file open: ask it to close before files are replaced.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
; No desktop icon unless asked for (/TASKS="desktopicon" when silent).
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An update replaces the bundled libraries wholesale, so none from an older version lingers.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BuildDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete]: the uninstaller removes only what it installed (see the top).
