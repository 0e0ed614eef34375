package dev.starling.coordinator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannelBuilder;
import java.net.DatagramSocket;
import java.net.Socket;
import java.net.URLConnection;
import java.net.http.HttpClient;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;

/**
 * The coordinator answers; it never dials anyone, least of all an address a host chose (a peer address it hands to
 * other workers). Only the demo calls its own coordinator's REST API. Its database connections are the driver's.
 */
class DialsNobodyTest {

    @Test
    void noClassButTheDemoOpensAConnection() {
        JavaClasses coordinator = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.starling.coordinator");

        noClasses().that().resideOutsideOfPackage("..coordinator.demo..")
                .should().dependOnClassesThat().belongToAnyOf(ManagedChannelBuilder.class, Socket.class,
                        DatagramSocket.class, SocketChannel.class, URLConnection.class, HttpClient.class)
                .orShould().callMethod(Grpc.class, "newChannelBuilder", String.class, ChannelCredentials.class)
                .orShould().callMethod(Grpc.class, "newChannelBuilderForAddress", String.class, int.class,
                        ChannelCredentials.class)
                .because("the coordinator must never be made to connect to an address a worker chose")
                .check(coordinator);
    }
}
