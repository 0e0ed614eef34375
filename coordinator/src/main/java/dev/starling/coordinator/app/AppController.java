package dev.starling.coordinator.app;

import dev.starling.sdk.App;
import dev.starling.sdk.ParamSpec;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/apps")
class AppController {
    private final AppCatalog catalog;

    AppController(AppCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping
    List<AppView> list() {
        return catalog.all().stream().map(AppView::of).toList();
    }

    record AppView(String name, String version, String description, List<ParamView> params) {
        static AppView of(App app) {
            var info = app.info();
            return new AppView(info.name(), info.version(), info.description(),
                    info.params().stream().map(ParamView::of).toList());
        }
    }

    record ParamView(String name, String type, String description, boolean required, Object defaultValue,
            Number min, Number max) {
        static ParamView of(ParamSpec p) {
            boolean whole = p.type() == ParamSpec.Type.INTEGER;
            return new ParamView(p.name(), p.type().name().toLowerCase(java.util.Locale.ROOT), p.description(),
                    p.required(), p.defaultValue(), bound(p.min(), whole), bound(p.max(), whole));
        }

        private static Number bound(Double value, boolean whole) {
            if (value == null || !whole) {
                return value;
            }
            return value.longValue();
        }
    }
}
