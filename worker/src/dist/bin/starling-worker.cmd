@echo off
rem The Starling worker, with the Java runtime of this bundle: no Java install needed.
rem   bin\starling-worker --coordinator HOST:PORT    (or settings in %APPDATA%\Starling\worker.properties)
rem JAVA_OPTS is passed to the JVM.
"%~dp0..\runtime\bin\java.exe" -XX:+UseSerialGC -Xss512k %JAVA_OPTS% -jar "%~dp0..\lib\starling-worker.jar" %*
