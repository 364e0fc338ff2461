//! Store assets: uploads checked from their bytes, decoded whole, served as images only.

use super::*;

both_backends! {
    async fn uploads_are_checked_from_their_bytes_not_their_names(app) {
        let (_, _, customer, app_id) = paid_app(&app, 1).await;
        let shot = png(320, 640);
        let stored = upload(&app, &customer, &app_id, ("screenshot", "home.png"), shot.clone(), "image/png").await;
        stored.assert_status(StatusCode::CREATED);
        assert_eq!((stored.body["width"].as_i64(), stored.body["height"].as_i64()), (Some(320), Some(640)));
        assert_eq!(stored.body["content_type"], "image/png");
        let asset = id(&stored);
        let back = app.client.get(app.url(&format!("apps/{app_id}/assets/{asset}/content")))
            .bearer_auth(&customer).send().await.expect("sent");
        assert_eq!(back.headers()["content-type"], "image/png");
        assert_eq!(back.bytes().await.expect("bytes").to_vec(), shot);
        let again = upload(&app, &customer, &app_id, ("screenshot", "copy.png"), shot.clone(), "image/png").await;
        assert_eq!(again.body["sha256"], stored.body["sha256"], "stored once by content");

        let named_jpeg = upload(&app, &customer, &app_id, ("screenshot", "home.jpg"), shot.clone(), "image/png").await;
        named_jpeg.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "file_type_mismatch");
        assert_eq!(named_jpeg.error_fields(), ["file"]);
        upload(&app, &customer, &app_id, ("screenshot", "home.png"), shot.clone(), "image/jpeg").await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "file_type_mismatch");
        upload(&app, &customer, &app_id, ("screenshot", "home.png"), b"GIF89a not really".to_vec(), "image/png").await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unsupported_file_type");
        upload(&app, &customer, &app_id, ("icon", "icon.png"), png(300, 300), "image/png").await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_dimensions");
        upload(&app, &customer, &app_id, ("icon", "icon.png"), png(512, 600), "image/png").await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_dimensions");
        let mut heavy = png(512, 512);
        heavy.resize(1024 * 1024 + 1, 0);
        upload(&app, &customer, &app_id, ("icon", "icon.png"), heavy, "image/png").await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "file_too_large");
        let mut huge = png(320, 640);
        huge.resize(8 * 1024 * 1024 + 1, 0);
        upload(&app, &customer, &app_id, ("screenshot", "big.png"), huge, "image/png").await
            .assert_problem(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
        let list = app.get(&format!("apps/{app_id}/assets"), &customer).await;
        assert_eq!(list.body.as_array().expect("list").len(), 2);
        // A screenshot is not an icon, and an asset must be this app's.
        let listing = json!({"icon_asset_id": asset});
        let wrong = create(&app, &customer, &app_id, request_body("app_store", "1.0", 1, listing)).await;
        assert_eq!(wrong.error_fields(), ["listing.icon_asset_id"]);
        // A listing is an object, not its fields in a row.
        let array = create(&app, &customer, &app_id, request_body("app_store", "1.0", 1, json!([null, null]))).await;
        array.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }

    async fn an_upload_is_decoded_whole_before_it_is_kept_and_served_as_an_image_only(app) {
        let (_, _, customer, app_id) = paid_app(&app, 1).await;
        // The first 60 bytes of a real icon: its header says 512 × 512, its pixels are missing.
        let truncated = png(512, 512)[..60].to_vec();
        upload(&app, &customer, &app_id, ("icon", "icon.png"), truncated, "image/png").await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unsupported_file_type");
        // A real icon with a page after its end, for a browser that sniffs.
        let mut polyglot = png(512, 512);
        polyglot.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
        upload(&app, &customer, &app_id, ("icon", "icon.png"), polyglot, "image/png").await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unsupported_file_type");

        let stored = upload(&app, &customer, &app_id, ("icon", "icon.png"), png(512, 512), "image/png").await;
        stored.assert_status(StatusCode::CREATED);
        let asset = id(&stored);
        let back = app.client.get(app.url(&format!("apps/{app_id}/assets/{asset}/content")))
            .bearer_auth(&customer).send().await.expect("sent");
        assert_eq!(back.headers()["x-content-type-options"], "nosniff");
        assert!(back.headers()["content-disposition"].to_str().unwrap_or_default().starts_with("inline; filename="));
        assert!(back.headers()["content-security-policy"].to_str().unwrap_or_default().contains("sandbox"));

    }
}
