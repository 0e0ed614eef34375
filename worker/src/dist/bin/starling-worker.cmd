@echo off
rem The Starling worker, with the Java runtime of this bundle: no Java install needed.
rem   bin\starling-worker --coordinator HOST:PORT    (or settings in %APPDATA%\Starling\worker.properties)
rem JAVA_OPTS is passed to the JVM.
set "CDS="
if exist "%~dp0..\lib\worker.jsa" set "CDS=-XX:SharedArchiveFile=%~dp0..\lib\worker.jsa"
"%~dp0..\runtime\bin\java.exe" -XX:+UseSerialGC -Xss512k -Xms8m %CDS% %JAVA_OPTS% -jar "%~dp0..\lib\starling-worker.jar" %*
